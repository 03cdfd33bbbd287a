#pragma once
// Shared by the engine, calibration and bench tests: generated files, analysed, and checks on
// plans and predictions that several tests make.

#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "plan/Plan.h"
#include "predict/Prediction.h"

#include <QtTest>

#include <algorithm>
#include <limits>
#include <memory>

namespace lockstep::test {

// Writes the sample and analyses it as the object and operation it was written for.
inline std::shared_ptr<FileAnalysis> analyzedSample(const Scratch &scratch, const QString &name, const SampleOptions &options,
                                                    AnalyzeOptions analyze = {})
{
    const QString path = scratch.sample(name, options);
    analyze.object = options.object;
    analyze.operation = options.operation;
    auto analysis = analyzeFile(path, analyze);
    if (!analysis)
        qFatal("analysis failed: %s", qPrintable(analysis.error().toString()));
    return *analysis;
}

// The first pair of batches that were in flight at the same time and lock a common key, as
// text; empty when there is none. A batch is in flight from its first start to its last end.
inline QString sharedKeyInFlight(const Plan &plan, const Prediction &prediction, const LockKeys &keys)
{
    struct Edge {
        double time;
        bool start;
        std::uint32_t batch;
    };
    std::vector<Edge> edges;
    for (std::uint32_t b = 0; b < prediction.batches.size(); ++b) {
        if (prediction.batches[b].start < 0)
            continue;
        edges.push_back({prediction.batches[b].start, true, b});
        edges.push_back({prediction.batches[b].end, false, b});
    }
    // Ends before starts at the same instant: back-to-back batches do not overlap.
    std::sort(edges.begin(), edges.end(), [](const Edge &a, const Edge &b) {
        return a.time != b.time ? a.time < b.time : (!a.start && b.start);
    });
    // Lanes of one group (one skewed parent on k lanes) may hold their parent side by side:
    // they only queue for it. Anything else sharing a key in flight is a failure.
    auto tokenOf = [&](std::uint32_t batch) -> std::int64_t {
        const int lane = plan.batches[batch].lane;
        if (lane >= 0 && size_t(lane) < plan.lanes.size() && plan.lanes[size_t(lane)].group >= 0)
            return -1 - plan.lanes[size_t(lane)].group;
        return std::int64_t(batch);
    };
    constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();
    std::vector<std::int64_t> owner(keys.keyCount(), none);
    std::vector<int> holders(keys.keyCount(), 0);
    for (const auto &e : edges) {
        const std::int64_t token = tokenOf(e.batch);
        std::vector<std::uint32_t> batchKeys;
        for (const auto row : plan.rowsOf(plan.batches[e.batch]))
            for (const auto key : keys.keysOf(row))
                batchKeys.push_back(key);
        std::sort(batchKeys.begin(), batchKeys.end());
        batchKeys.erase(std::unique(batchKeys.begin(), batchKeys.end()), batchKeys.end());
        for (const auto key : batchKeys) {
            if (!e.start) {
                if (owner[key] == token && --holders[key] == 0)
                    owner[key] = none;
            } else if (owner[key] == none || owner[key] == token) {
                owner[key] = token;
                ++holders[key];
            } else {
                return QStringLiteral("batch %1 locks %2 while another batch (%3) holds it, at %4 s")
                    .arg(e.batch).arg(keys.keyLabel(key)).arg(owner[key]).arg(e.time);
            }
        }
    }
    return {};
}

// Every file row appears exactly once in the plan, and batches tile Plan::rows.
inline QString planCoversEveryRowOnce(const Plan &plan, qint64 rowCount)
{
    if (plan.rowCount() != rowCount)
        return QStringLiteral("plan has %1 rows, file %2").arg(plan.rowCount()).arg(rowCount);
    std::vector<std::uint8_t> seen(size_t(rowCount), 0);
    for (const auto r : plan.rows) {
        if (r >= rowCount || seen[r]++)
            return QStringLiteral("row %1 twice or out of range").arg(r);
    }
    qint64 next = 0;
    for (const auto &b : plan.batches) {
        if (b.begin != next || b.rows == 0)
            return QStringLiteral("batch at %1 does not follow %2 or is empty").arg(b.begin).arg(next);
        next += b.rows;
    }
    return next == rowCount ? QString() : QStringLiteral("batches cover %1 of %2 rows").arg(next).arg(rowCount);
}

} // namespace lockstep::test
