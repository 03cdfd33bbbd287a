#include "plan/PollSchedule.h"

#include <algorithm>

namespace lockstep {

double PollSchedule::next(double interval) const
{
    return std::min(std::max(first, most), interval * kGrowth);
}

PollSchedule::Seen PollSchedule::seen(double closed, double finished) const
{
    Seen s;
    double at = closed;
    double interval = std::max(1e-6, first);
    do {
        at += interval;
        ++s.polls;
        interval = next(interval);
    } while (at < finished);
    s.at = at;
    return s;
}

qint64 PollSchedule::bulk1StatusCalls(const std::vector<Batch> &batches) const
{
    // The runner's loop (JobRunner::runBulk1), played on the predicted times: between uploads
    // it polls when something is out and the interval has passed since the last poll; after
    // the last upload it polls until nothing is out.
    std::vector<int> outOf;                       // per job: batches out
    std::vector<std::pair<double, int>> out;      // (finished, job) of the batches out
    int jobsOut = 0;
    qint64 calls = 0;
    double lastPoll = 0, interval = std::max(1e-6, first);
    double outSince = 0;                          // when something last went out after nothing was
    auto poll = [&](double at) {
        calls += jobsOut;
        bool progressed = false;
        for (size_t i = 0; i < out.size();) {
            if (out[i].first <= at) {
                if (--outOf[size_t(out[i].second)] == 0)
                    --jobsOut;
                out[i] = out.back();
                out.pop_back();
                progressed = true;
            } else {
                ++i;
            }
        }
        interval = progressed ? std::max(1e-6, first) : next(interval);
        lastPoll = at;
    };
    for (const Batch &b : batches) {
        while (!out.empty() && std::max(lastPoll + interval, outSince) < b.uploaded)
            poll(std::max(lastPoll + interval, outSince));
        if (size_t(b.job) >= outOf.size())
            outOf.resize(size_t(b.job) + 1, 0);
        if (out.empty())
            outSince = b.uploaded;
        if (outOf[size_t(b.job)]++ == 0)
            ++jobsOut;
        out.push_back({b.finished, b.job});
    }
    while (!out.empty())
        poll(std::max(lastPoll + interval, outSince));
    return calls;
}

} // namespace lockstep
