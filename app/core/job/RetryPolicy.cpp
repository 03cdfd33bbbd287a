#include "job/RetryPolicy.h"


#include <algorithm>
#include <cmath>
#include <set>

namespace lockstep {

namespace {

// The same record whether written with 15 or 18 characters: a 15-character Id is the 18's
// first 15 (case-sensitive), and the 18-character form is what keyLabel shows.
bool sameParent(const QString &given, const QString &label, std::string_view text)
{
    if (given == label || given.toStdString() == text)
        return true;
    const bool idLike = (given.size() == 15 || given.size() == 18) && (label.size() == 15 || label.size() == 18);
    return idLike && given.left(15) == label.left(15);
}

} // namespace

Result<std::vector<qint64>> RetryPolicy::select(JobStore &store, qint64 job, const RetrySelection &selection, const LockKeys &keys)
{
    auto records = store.rows(job);
    if (!records)
        return std::unexpected(records.error());

    // Parents by name → key ids; each name must name one.
    std::vector<bool> wantedKey;
    if (!selection.parents.isEmpty()) {
        wantedKey.assign(keys.keyCount(), false);
        for (const QString &name : selection.parents) {
            bool found = false;
            for (std::uint32_t k = 0; k < keys.keyCount(); ++k)
                if (sameParent(name.trimmed(), keys.keyLabel(k), keys.keyText(k))) {
                    wantedKey[k] = true;
                    found = true;
                }
            if (!found)
                return fail(ErrorKind::Usage, QStringLiteral("no row of the file locks %1 (a parent's Id, or a key as 'show' names it)").arg(name));
        }
    }
    std::vector<bool> inBatch;
    if (!selection.batches.empty()) {
        auto batches = store.batches(job);
        if (!batches)
            return std::unexpected(batches.error());
        inBatch.assign(records->size(), false);
        for (const int wanted : selection.batches) {
            const auto it = std::find_if(batches->begin(), batches->end(), [&](const JobBatchSpec &b) { return b.number == wanted; });
            if (it == batches->end())
                return fail(ErrorKind::Usage, QStringLiteral("job %1 has no batch %2 (it has 0 to %3)").arg(job).arg(wanted).arg(qint64(batches->size()) - 1));
            for (const qint64 r : it->rows)
                if (size_t(r) < inBatch.size())
                    inBatch[size_t(r)] = true;
        }
    }
    const std::set<qint64> listed(selection.rows.begin(), selection.rows.end());
    for (const qint64 r : listed)
        if (r < 0 || r >= qint64(records->size()))
            return fail(ErrorKind::Usage, QStringLiteral("job %1 has no row %2").arg(job).arg(r + 1));

    std::vector<qint64> out;
    for (size_t i = 0; i < records->size(); ++i) {
        const RowRecord &r = (*records)[i];
        if (r.status != RowStatus::Failed)
            continue;
        if (!selection.codes.isEmpty() && !selection.codes.contains(r.statusCode))
            continue;
        if (r.attempts < selection.minAttempts)
            continue;
        if (!inBatch.empty() && !inBatch[i])
            continue;
        if (!listed.empty() && !listed.contains(qint64(i)))
            continue;
        if (!wantedKey.empty() && qint64(i) < keys.rowCount()) {
            const auto rowKeys = keys.keysOf(qint64(i));
            if (std::none_of(rowKeys.begin(), rowKeys.end(), [&](std::uint32_t k) { return wantedKey[k]; }))
                continue;
        }
        out.push_back(qint64(i));
    }
    return out;
}

Plan RetryPlan::forFile() const
{
    Plan mapped = plan;
    for (auto &row : mapped.rows)
        row = std::uint32_t(fileRows[row]);
    return mapped;
}

Result<RetryPlan> RetryPolicy::plan(const LockKeys &keys, std::span<const qint64> rows, const Mitigation &mitigation, PlanOptions options)
{
    if (rows.empty())
        return fail(ErrorKind::Usage, QStringLiteral("no row to retry"));
    for (const qint64 r : rows)
        if (r < 0 || r >= keys.rowCount())
            return fail(ErrorKind::Internal, QStringLiteral("row %1 is not in the file").arg(r + 1));
    // Each parent's children over the whole file (and the org's count when it says more).
    std::vector<std::uint32_t> children = Planner::childrenInFile(keys);
    if (options.orgChildren)
        for (size_t k = 0; k < children.size() && k < options.orgChildren->size(); ++k)
            children[k] = std::max(children[k], (*options.orgChildren)[k]);
    options.orgChildren = std::make_shared<const std::vector<std::uint32_t>>(std::move(children));

    RetryPlan out;
    out.keys = keys.selectRows(rows);
    out.fileRows.assign(rows.begin(), rows.end());
    auto plan = Planner::plan(out.keys, mitigation, options);
    if (!plan)
        return std::unexpected(plan.error());
    out.plan = std::move(*plan);
    return out;
}

double RetryPolicy::backoffSeconds(int pass, Random &random, double baseSeconds, double capSeconds)
{
    const double ceiling = std::min(capSeconds, baseSeconds * std::ldexp(1.0, std::max(0, pass - 1)));
    return random.uniform() * ceiling;
}

} // namespace lockstep
