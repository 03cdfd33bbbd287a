#pragma once

#include "sim/OrgProfile.h"

#include <QtGlobal>

#include <vector>

namespace lockstep {

// How a Bulk client learns that a job is done: it asks `first` seconds after closing it, then
// each wait 1.5× the last, up to `most` (platform seconds). Lockstep's runner polls this way
// (RunOptions), and the predictor plays the same schedule: a finished job is only seen at the
// next poll, and a lane's next Bulk API 2.0 job goes out only then, so that wait and the polls
// belong in the prediction. `most` is the profile's statusPollSeconds (the CLI's 5 s).
struct PollSchedule {
    static constexpr double kFirstSeconds = 0.5;
    static constexpr double kGrowth = 1.5;

    double first = kFirstSeconds;
    double most = 5.0;

    static PollSchedule of(const OrgProfile &profile) { return {kFirstSeconds, profile.statusPollSeconds}; }

    // The wait after a poll of `interval` that saw nothing new.
    double next(double interval) const;

    struct Seen {
        double at = 0;   // when the poll that sees the job finished is answered
        int polls = 0;   // status calls until then
    };
    // A job closed at `closed` that finishes at `finished`: the first poll at or after it.
    Seen seen(double closed, double finished) const;

    // A Bulk API 1.0 batch as the runner sees it: its job (a lane's, or the shared queue's),
    // when it was uploaded and when the org finished it.
    struct Batch {
        int job = 0;
        double uploaded = 0, finished = 0;
    };
    // The status calls Lockstep's runner makes for these batches (in upload order): it polls
    // each job that has batches out, `first` after an upload or after a poll that saw a batch
    // finish, else each wait 1.5× the last up to `most`; none while nothing is out.
    qint64 bulk1StatusCalls(const std::vector<Batch> &batches) const;
};

} // namespace lockstep
