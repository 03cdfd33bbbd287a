#pragma once

#include "common/Random.h"
#include "locks/Operation.h"
#include "sim/OrgProfile.h"
#include "sim/TransactionScript.h"

#include <QString>

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>

namespace lockstep {

// What a transaction writes, beyond its rows: the object and operation pick the per-row server
// time; duplicate rules, when active on the object and not switched off, lengthen the lock window.
struct TransactionConditions {
    QString object = QStringLiteral("Opportunity");
    Operation operation = Operation::Update;
    bool duplicateRulesActive = false;
};

// Turns the rows of one chunk (each with the keys it locks) into the TransactionScript the
// calibrated model says it performs (calibration.md, "A model that fits every row at once"):
//  - the attempt takes rows × rowSeconds of server time, times a lognormal variation (mean 1,
//    CV workCv) drawn once per attempt;
//  - no parent is locked in the first (1 − lockWindowShare) of it (× triggerFactor);
//  - in the last lockWindowShare (× rollUpFactor, plus duplicateRuleRowSeconds a row when
//    duplicate rules are active) it walks its rows in row order, spending an equal slice on
//    each, and requests each key the first time a row names it;
//  - once it holds a parent with more than parentHoldThreshold children (as the org has them),
//    it spends parentHoldSeconds(children) more before it moves on (the roll-up over a skewed
//    parent's children; an assumption, see OrgProfile);
//  - it holds every lock to commit.
// Immutable after construction, so one model can serve many threads.
class TransactionModel {
public:
    TransactionModel(const OrgProfile &profile, const TransactionConditions &conditions);

    // How many children a locked record has in the org (0 for a record nobody points at).
    using ChildrenOf = std::function<std::int64_t(LockKey)>;

    // rows[i] = the keys row i locks, in rule order; childrenOf: see ChildrenOf (empty: none).
    TransactionScript script(std::span<const std::span<const LockKey>> rows, Random &random,
                             const ChildrenOf &childrenOf = {}) const;

    // The same, without building spans: keysOf(i) returns row i's keys as a range of LockKey,
    // childrenOf(key) the key's children. `out` is reused (its buffers keep their capacity);
    // `seen` is scratch for de-duplication.
    template <class KeysOf, class ChildrenOfKey>
    void scriptInto(std::uint32_t rowCount, KeysOf &&keysOf, ChildrenOfKey &&childrenOf, Random &random,
                    TransactionScript &out, std::vector<std::uint64_t> &seen) const;

    // The extra time a transaction holds a parent with `children` children once it has it
    // (before variation): parentHoldSecondsPerChild × max(0, children − parentHoldThreshold).
    double parentHoldSeconds(std::int64_t children) const
    {
        const std::int64_t over = children - std::int64_t(m_profile.parentHoldThreshold);
        return over > 0 ? double(over) * m_profile.parentHoldSecondsPerChild : 0.0;
    }
    // Mean time one row spends in the lock window (while its parents are held).
    double windowRowSeconds() const { return m_windowRowSeconds; }

    // The variation factor of one attempt: lognormal with mean 1 and CV workCv.
    double variation(Random &random) const;
    // Mean duration of a transaction of `rows` rows that never waits.
    double expectedSeconds(double rows) const { return rows * m_meanRowSeconds; }
    // Mean time a transaction of `rows` rows spends in its lock window.
    double expectedWindowSeconds(double rows) const { return rows * m_windowRowSeconds; }

    const OrgProfile &profile() const { return m_profile; }
    const TransactionConditions &conditions() const { return m_conditions; }

private:
    OrgProfile m_profile;
    TransactionConditions m_conditions;
    double m_preRowSeconds = 0;      // per row, before the window
    double m_windowRowSeconds = 0;   // per row, inside the window
    double m_meanRowSeconds = 0;
    double m_sigma = 0;              // lognormal sigma for workCv
};

template <class KeysOf, class ChildrenOfKey>
void TransactionModel::scriptInto(std::uint32_t rowCount, KeysOf &&keysOf, ChildrenOfKey &&childrenOf, Random &random,
                                  TransactionScript &out, std::vector<std::uint64_t> &seen) const
{
    out.locks.clear();
    out.rows = rowCount;
    const double f = variation(random);
    const double pre = double(rowCount) * m_preRowSeconds * f;
    const double slice = m_windowRowSeconds * f;

    // A small open-addressing set of the keys already requested (key + 1 in the low half, so
    // 0 marks an empty slot). Sized for at least twice the keys a chunk can name.
    std::size_t capacity = 64;
    while (capacity < std::size_t(rowCount) * 4)
        capacity <<= 1;
    seen.assign(capacity, 0);
    const std::size_t mask = capacity - 1;
    std::size_t distinct = 0;

    const bool holds = m_profile.parentHoldSecondsPerChild > 0;
    double last = 0;   // time of the previous step
    double held = 0;   // extra time spent so far holding skewed parents
    for (std::uint32_t i = 0; i < rowCount; ++i) {
        const double at = pre + double(i) * slice + held;
        for (const LockKey key : keysOf(i)) {
            std::size_t slot = (std::uint64_t(key) * 0x9E3779B97F4A7C15ULL) >> 40 & mask;
            bool known = false;
            while (seen[slot]) {
                if (seen[slot] == std::uint64_t(key) + 1) {
                    known = true;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            if (known)
                continue;
            if ((distinct + 1) * 2 > capacity) {   // rows naming many keys: grow and rehash
                std::vector<std::uint64_t> bigger(capacity * 2, 0);
                for (const auto v : seen) {
                    if (!v)
                        continue;
                    std::size_t s = ((v - 1) * 0x9E3779B97F4A7C15ULL) >> 40 & (capacity * 2 - 1);
                    while (bigger[s])
                        s = (s + 1) & (capacity * 2 - 1);
                    bigger[s] = v;
                }
                seen.swap(bigger);
                capacity *= 2;
                slot = (std::uint64_t(key) * 0x9E3779B97F4A7C15ULL) >> 40 & (capacity - 1);
                while (seen[slot])
                    slot = (slot + 1) & (capacity - 1);
            }
            seen[slot] = std::uint64_t(key) + 1;
            ++distinct;
            out.locks.push_back({at - last, key, i});
            last = at;
            // A skewed parent: its roll-up works over its children while the transaction
            // holds it (and everything it took before); later requests come that much later.
            if (holds)
                held += parentHoldSeconds(std::int64_t(childrenOf(key))) * f;
        }
    }
    out.workAfterLocks = pre + double(rowCount) * slice + held - last;
}

} // namespace lockstep
