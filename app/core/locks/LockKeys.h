#pragma once

#include "common/StringInterner.h"
#include "load/LoadFile.h"
#include "locks/LockRules.h"

#include <QString>

#include <cstdint>
#include <span>
#include <vector>

namespace lockstep {

// Per row, the integer ids of the records its write will lock (besides itself), in the order
// the rules name them. Everything after this layer works on these integers, so 10 million
// rows of analysis, planning and prediction fit in memory.
class LockKeys {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    qint64 rowCount() const { return qint64(m_offsets.size()) - 1; }
    std::uint32_t keyCount() const { return m_names.size(); }

    std::span<const std::uint32_t> keysOf(qint64 row) const
    {
        return {m_keys.data() + m_offsets[size_t(row)], m_offsets[size_t(row) + 1] - m_offsets[size_t(row)]};
    }
    // Hints that keysOf(row) comes soon, for passes over rows in plan order (at random in the
    // arrays): its offsets first, then — once they are in — its keys.
    void prefetchOffsets(qint64 row) const { __builtin_prefetch(m_offsets.data() + row); }
    void prefetchKeys(qint64 row) const { __builtin_prefetch(m_keys.data() + m_offsets[size_t(row)]); }
    std::uint32_t firstKey(qint64 row) const
    {
        return m_offsets[size_t(row) + 1] > m_offsets[size_t(row)] ? m_keys[m_offsets[size_t(row)]] : npos;
    }
    const std::vector<std::uint32_t> &offsets() const { return m_offsets; }
    const std::vector<std::uint32_t> &keys() const { return m_keys; }

    std::string_view keyText(std::uint32_t key) const { return m_names.text(key); }
    // How a user reads the key: an 18-character Id, "Account.External_Id__c = ACME-1", or
    // "org-wide sharing group".
    QString keyLabel(std::uint32_t key) const;
    // The object the key's record belongs to, from its rule ("Account").
    QString keyObject(std::uint32_t key) const;
    std::uint32_t findKey(std::string_view text) const { return m_names.find(text); }

    const std::vector<LockRule> &rules() const { return m_rules; }
    std::size_t memoryBytes() const;

    // Builds keys directly (tests, generated plans): rows[i] = texts of the keys of row i.
    static LockKeys fromTexts(const std::vector<std::vector<std::string>> &rows);
    // The keys of some rows only (row i of the result is rows[i] here), with the same key ids,
    // texts and rules: a plan of a few rows (a retry) names the same parents as the file's.
    LockKeys selectRows(std::span<const qint64> rows) const;

private:
    friend class LockKeyCollector;
    std::vector<std::uint32_t> m_offsets{0};
    std::vector<std::uint32_t> m_keys;
    std::vector<std::uint8_t> m_keyRule;   // index into m_rules of the rule that first named the key
    std::vector<LockRule> m_rules;
    StringInterner m_names;
};

// Collects LockKeys while LoadFile scans: one sink per chunk interns its keys locally, and
// finish() renumbers them globally in file order.
class LockKeyCollector : public RowSinkFactory {
public:
    LockKeyCollector(const LoadFile &file, const ColumnRoles &roles, const LockRules &rules);

    std::vector<int> columns() const override { return m_columns; }
    std::unique_ptr<RowSink> createSink() override;
    void finish(std::vector<std::unique_ptr<RowSink>> sinks) override;

    LockKeys take() { return std::move(m_result); }

    static constexpr const char *kSharingGroupKey = "#sharing-group";

private:
    std::vector<int> m_columns;        // one per rule (-1 when the column is missing)
    std::vector<LockRule> m_rules;
    std::vector<std::string> m_prefixes;   // key text prefix per rule ("" for Ids)
    LockKeys m_result;
};

} // namespace lockstep
