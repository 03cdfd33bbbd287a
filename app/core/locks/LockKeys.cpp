#include "locks/LockKeys.h"

#include "load/SalesforceId.h"

namespace lockstep {

QString LockKeys::keyLabel(std::uint32_t key) const
{
    const std::string_view text = keyText(key);
    if (text == LockKeyCollector::kSharingGroupKey)
        return QStringLiteral("org-wide sharing group");
    if (text.size() == 15 && SalesforceId::validate(text) == SalesforceId::Check::Ok)
        return SalesforceId::to18(text);
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString LockKeys::keyObject(std::uint32_t key) const
{
    if (key < m_keyRule.size() && m_keyRule[key] < m_rules.size()) {
        const LockRule &rule = m_rules[m_keyRule[key]];
        if (!rule.target.isEmpty())
            return rule.target;
    }
    const std::string_view text = keyText(key);
    if (text.size() == 15)
        return KeyPrefixes::objectFor(text.substr(0, 3));
    return {};
}

std::size_t LockKeys::memoryBytes() const
{
    return m_offsets.capacity() * 4 + m_keys.capacity() * 4 + m_keyRule.capacity() + m_names.memoryBytes();
}

LockKeys LockKeys::fromTexts(const std::vector<std::vector<std::string>> &rows)
{
    LockKeys keys;
    keys.m_rules.push_back({QStringLiteral("key"), QString(), LockReason::Parent, QString(), true});
    for (const auto &row : rows) {
        for (const auto &text : row) {
            const std::uint32_t id = keys.m_names.intern(text);
            if (id == keys.m_keyRule.size())
                keys.m_keyRule.push_back(0);
            keys.m_keys.push_back(id);
        }
        keys.m_offsets.push_back(std::uint32_t(keys.m_keys.size()));
    }
    return keys;
}

LockKeys LockKeys::selectRows(std::span<const qint64> rows) const
{
    LockKeys out;
    out.m_rules = m_rules;
    out.m_keyRule = m_keyRule;
    out.m_names = m_names;
    out.m_offsets.reserve(rows.size() + 1);
    for (const qint64 row : rows) {
        const auto keys = keysOf(row);
        out.m_keys.insert(out.m_keys.end(), keys.begin(), keys.end());
        out.m_offsets.push_back(std::uint32_t(out.m_keys.size()));
    }
    return out;
}

namespace {

class LockKeySink : public RowSink {
public:
    LockKeySink(const std::vector<std::string> &prefixes, const std::vector<LockRule> &rules)
        : m_prefixes(prefixes), m_rules(rules)
    {
    }

    void row(std::span<const std::string_view> values) override
    {
        const std::uint32_t begin = std::uint32_t(keys.size());
        for (size_t i = 0; i < values.size(); ++i) {
            const std::string_view value = values[i];
            if (value.empty())
                continue;
            std::uint32_t id;
            if (m_rules[i].reason == LockReason::SharingGroup) {
                id = names.intern(LockKeyCollector::kSharingGroupKey);
            } else if (m_prefixes[i].empty()) {
                id = names.intern(value);
            } else {
                m_buffer.assign(m_prefixes[i]);
                m_buffer.append(value);
                id = names.intern(m_buffer);
            }
            if (id == keyRule.size())
                keyRule.push_back(std::uint8_t(i));
            bool seen = false;
            for (std::uint32_t k = begin; k < keys.size(); ++k)
                seen |= keys[k] == id;
            if (!seen)
                keys.push_back(id);
        }
        offsets.push_back(std::uint32_t(keys.size()));
    }

    StringInterner names;
    std::vector<std::uint32_t> offsets{0};
    std::vector<std::uint32_t> keys;
    std::vector<std::uint8_t> keyRule;

private:
    const std::vector<std::string> &m_prefixes;
    const std::vector<LockRule> &m_rules;
    std::string m_buffer;
};

} // namespace

LockKeyCollector::LockKeyCollector(const LoadFile &file, const ColumnRoles &roles, const LockRules &rules)
{
    for (const auto &rule : rules.rules()) {
        const int column = file.columnIndex(rule.column);
        m_columns.push_back(column);
        m_rules.push_back(rule);
        // Ids are unique across objects; external-id values are not, so they carry their
        // relationship as a namespace.
        // LoadFile validates Id-valued columns and hands over their canonical 15-character form.
        const ColumnRole role = column >= 0 && size_t(column) < roles.columns.size() ? roles.columns[size_t(column)].role
                                                                                     : ColumnRole::Data;
        const bool idValued = role == ColumnRole::RecordId || role == ColumnRole::Lookup || role == ColumnRole::ResultId;
        m_prefixes.push_back(idValued ? std::string() : (rule.column + QStringLiteral(" = ")).toStdString());
    }
    m_result.m_rules = m_rules;
}

std::unique_ptr<RowSink> LockKeyCollector::createSink()
{
    return std::make_unique<LockKeySink>(m_prefixes, m_rules);
}

void LockKeyCollector::finish(std::vector<std::unique_ptr<RowSink>> sinks)
{
    qint64 rows = 0, keyTotal = 0;
    for (const auto &s : sinks) {
        const auto &sink = static_cast<const LockKeySink &>(*s);
        rows += qint64(sink.offsets.size()) - 1;
        keyTotal += qint64(sink.keys.size());
    }
    m_result.m_offsets.reserve(size_t(rows) + 1);
    m_result.m_keys.reserve(size_t(keyTotal));
    std::vector<std::uint32_t> remap;
    for (auto &s : sinks) {
        auto &sink = static_cast<LockKeySink &>(*s);
        remap.resize(sink.names.size());
        for (std::uint32_t local = 0; local < sink.names.size(); ++local) {
            const std::uint32_t global = m_result.m_names.intern(sink.names.text(local));
            if (global == m_result.m_keyRule.size())
                m_result.m_keyRule.push_back(sink.keyRule[local]);
            remap[local] = global;
        }
        const std::uint32_t base = m_result.m_offsets.back();
        for (size_t i = 1; i < sink.offsets.size(); ++i)
            m_result.m_offsets.push_back(base + sink.offsets[i]);
        for (auto k : sink.keys)
            m_result.m_keys.push_back(remap[k]);
        s.reset();
    }
}

} // namespace lockstep
