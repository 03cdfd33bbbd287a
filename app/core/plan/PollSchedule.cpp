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

} // namespace lockstep
