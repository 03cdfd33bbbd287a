#include "sim/TransactionModel.h"

#include <numbers>

namespace lockstep {

TransactionModel::TransactionModel(const OrgProfile &profile, const TransactionConditions &conditions)
    : m_profile(profile), m_conditions(conditions)
{
    const double row = profile.rowSecondsFor(conditions.object, conditions.operation);
    const bool duplicates = conditions.duplicateRulesActive;
    m_preRowSeconds = row * (1.0 - profile.lockWindowShare) * profile.triggerFactor;
    m_windowRowSeconds = row * profile.lockWindowShare * profile.rollUpFactor +
                         (duplicates ? profile.duplicateRuleRowSeconds : 0.0);
    m_meanRowSeconds = m_preRowSeconds + m_windowRowSeconds;
    m_sigma = std::sqrt(std::log1p(profile.workCv * profile.workCv));
}

double TransactionModel::variation(Random &random) const
{
    if (m_sigma <= 0)
        return 1.0;
    // Box–Muller; u1 in (0, 1] so the log is finite. exp(σz − σ²/2) has mean 1.
    const double u1 = 1.0 - random.uniform();
    const double u2 = random.uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    return std::exp(m_sigma * z - 0.5 * m_sigma * m_sigma);
}

TransactionScript TransactionModel::script(std::span<const std::span<const LockKey>> rows, Random &random,
                                           const ChildrenOf &childrenOf) const
{
    TransactionScript out;
    std::vector<std::uint64_t> seen;
    scriptInto(
        std::uint32_t(rows.size()), [&](std::uint32_t i) { return rows[i]; },
        [&](LockKey key) { return childrenOf ? childrenOf(key) : std::int64_t(0); }, random, out, seen);
    return out;
}

} // namespace lockstep
