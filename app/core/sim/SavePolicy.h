#pragma once

#include "sim/OrgProfile.h"
#include "sim/TransactionScript.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lockstep {

// What the platform does after a chunk's lock failure, and after a Bulk batch's pass: the
// rules of lock-model.md §1 that are not about locks themselves, shared by the predictor and
// the demo org so both fail, retry and re-queue the same rows.
class SavePolicy {
public:
    explicit SavePolicy(const OrgProfile &profile) : m_profile(profile) {}

    // Which rows of a failed attempt fail: every row (the fitted model: the statement fails as a
    // whole), or only the rows that needed `failedKey` (lockFailureFailsChunk = false).
    // keysOf(i) returns the keys of row i of the attempt. Sets failed[i]; returns how many.
    template <class KeysOf>
    std::uint32_t failedRows(std::uint32_t rowCount, KeysOf &&keysOf, LockKey failedKey, std::vector<bool> &failed) const
    {
        failed.assign(rowCount, m_profile.lockFailureFailsChunk);
        if (m_profile.lockFailureFailsChunk)
            return rowCount;
        std::uint32_t n = 0;
        for (std::uint32_t i = 0; i < rowCount; ++i) {
            const auto keys = keysOf(i);
            if (std::find(keys.begin(), keys.end(), failedKey) != keys.end()) {
                failed[i] = true;
                ++n;
            }
        }
        // A failure always costs its requester's row at least (a key no row names cannot fail).
        return n;
    }

    // Partial save: after `attempts` attempts of a chunk, are the rows that did not fail tried
    // again (without the failed ones)?
    bool retryRest(int attempts, std::uint32_t rowsLeft) const
    {
        return rowsLeft > 0 && attempts < m_profile.partialSaveAttempts;
    }

    // Bulk API 1.0 after a chunk of a batch pass: go on, put the unprocessed rest of the batch
    // back on the queue (more than bulkRequeueThreshold lock-failed rows in this pass, fewer than
    // bulkMaxRequeues re-queues so far), or fail the rest (re-queues used up).
    // `retryDisabled` is the client's Sforce-Disable-Batch-Retry header.
    enum class BulkNext { Continue, Requeue, FailRest };
    BulkNext afterBulkChunk(std::int64_t lockFailedRowsThisPass, int requeuesSoFar, bool retryDisabled) const
    {
        if (retryDisabled || lockFailedRowsThisPass <= m_profile.bulkRequeueThreshold)
            return BulkNext::Continue;
        return requeuesSoFar < m_profile.bulkMaxRequeues ? BulkNext::Requeue : BulkNext::FailRest;
    }

private:
    const OrgProfile &m_profile;
};

} // namespace lockstep
