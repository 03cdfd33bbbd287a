#pragma once

#include "store/JobStore.h"

#include <map>
#include <vector>

namespace lockstep {

// How one lane of a running job is doing: the shared queue (lane −1) or a serial lane.
struct LaneProgress {
    int lane = -1;
    qint64 rows = 0, answered = 0, succeeded = 0, failed = 0, lockErrors = 0;
    int batches = 0, batchesDone = 0;
    double rowsPerSecond = 0;   // answered rows per wall second since the tracker's first sample
    double etaSeconds = -1;     // -1: not known (nothing answered yet); 0 when done
    bool done() const { return answered >= rows; }
};

// Turns the store's batch counts (JobStore::batchProgress), sampled while a job runs, into
// per-lane progress with a pace and an ETA each. A lane's pace counts only rows answered since
// the first sample, so a resumed job's old rows do not flatter it.
class LaneProgressTracker {
public:
    // `elapsedSeconds`: wall seconds since the run started (monotonic).
    std::vector<LaneProgress> update(const std::vector<BatchProgress> &batches, double elapsedSeconds);
    void reset() { m_first.clear(); m_started = false; }

private:
    std::map<int, qint64> m_first;   // lane → rows answered at the first sample
    double m_firstSeconds = 0;
    bool m_started = false;
};

} // namespace lockstep
