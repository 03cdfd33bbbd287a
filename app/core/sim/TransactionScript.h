#pragma once

#include "sim/LockTable.h"

#include <cstdint>
#include <vector>

namespace lockstep {

// One lock request of a transaction: after `workBefore` seconds of server work (counted from
// the previous step), request `key`, first needed by row `row` (0-based within the attempt).
struct LockStep {
    double workBefore = 0;
    LockKey key = LockTable::noKey;
    std::uint32_t row = 0;
};

// What one transaction does, in order, whatever clock runs it:
//   for each step: work step.workBefore seconds, then request step.key (wait for it at most
//                  the profile's lock timeout);
//   then work workAfterLocks seconds and commit (release every lock).
// A refused (deadlock) or timed-out request fails the transaction at that point; it rolls back
// and releases its locks. The predictor (virtual time) and the demo org (real threads) both
// execute exactly this.
struct TransactionScript {
    std::vector<LockStep> locks;
    double workAfterLocks = 0;
    std::uint32_t rows = 0;

    // Duration when no request waits.
    double seconds() const
    {
        double s = workAfterLocks;
        for (const auto &l : locks)
            s += l.workBefore;
        return s;
    }
};

// How a transaction ended.
enum class LockFailure : std::uint8_t {
    None,       // committed
    Deadlock,   // a request would have closed a waits-for cycle: refused at once
    Timeout,    // a request waited the whole lock timeout
    Cancelled,  // the runner was asked to stop (real time only)
};

} // namespace lockstep
