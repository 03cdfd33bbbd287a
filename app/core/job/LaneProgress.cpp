#include "job/LaneProgress.h"

namespace lockstep {

std::vector<LaneProgress> LaneProgressTracker::update(const std::vector<BatchProgress> &batches, double elapsedSeconds)
{
    std::map<int, LaneProgress> lanes;
    for (const BatchProgress &b : batches) {
        LaneProgress &l = lanes[b.lane];
        l.lane = b.lane;
        l.rows += b.size;
        l.answered += b.answered();
        l.succeeded += b.succeeded;
        l.failed += b.failed + b.unknown;
        l.lockErrors += b.lockErrors;
        ++l.batches;
        if (b.size > 0 && b.answered() >= b.size)
            ++l.batchesDone;
    }
    if (!m_started) {
        m_started = true;
        m_firstSeconds = elapsedSeconds;
        for (const auto &[lane, l] : lanes)
            m_first[lane] = l.answered;
    }
    std::vector<LaneProgress> out;
    out.reserve(lanes.size());
    const double seconds = elapsedSeconds - m_firstSeconds;
    for (auto &[lane, l] : lanes) {
        const qint64 since = l.answered - m_first[lane];
        if (seconds > 0 && since > 0) {
            l.rowsPerSecond = double(since) / seconds;
            l.etaSeconds = double(l.rows - l.answered) / l.rowsPerSecond;
        }
        if (l.done())
            l.etaSeconds = 0;
        out.push_back(l);
    }
    return out;
}

} // namespace lockstep
