#include "plan/BatchQueue.h"

namespace lockstep {

void BatchQueue::offerHead(int lane)
{
    const auto &q = m_lanes[size_t(lane)];
    if (!m_busy[size_t(lane)] && !q.empty())
        m_freeHeads.insert({q.top().available, q.top().seq, lane});
}

void BatchQueue::push(Entry e)
{
    ++m_size;
    if (e.lane < 0) {
        m_shared.push(e);
        return;
    }
    if (size_t(e.lane) >= m_lanes.size()) {
        m_lanes.resize(size_t(e.lane) + 1);
        m_busy.resize(size_t(e.lane) + 1, 0);
    }
    auto &q = m_lanes[size_t(e.lane)];
    if (!m_busy[size_t(e.lane)] && !q.empty())
        m_freeHeads.erase({q.top().available, q.top().seq, e.lane});
    q.push(e);
    offerHead(e.lane);
}

std::optional<BatchQueue::Entry> BatchQueue::take(double now)
{
    const bool shared = !m_shared.empty() && m_shared.top().available <= now;
    const bool laned = !m_freeHeads.empty() && std::get<0>(*m_freeHeads.begin()) <= now;
    if (!shared && !laned)
        return std::nullopt;
    bool useLane = laned;
    if (shared && laned) {
        const auto &[available, seq, lane] = *m_freeHeads.begin();
        const Entry &s = m_shared.top();
        useLane = available != s.available ? available < s.available : seq < s.seq;
    }
    --m_size;
    if (!useLane) {
        const Entry e = m_shared.top();
        m_shared.pop();
        return e;
    }
    const int lane = std::get<2>(*m_freeHeads.begin());
    m_freeHeads.erase(m_freeHeads.begin());
    auto &q = m_lanes[size_t(lane)];
    const Entry e = q.top();
    q.pop();
    m_busy[size_t(lane)] = 1;
    return e;
}

void BatchQueue::release(int lane)
{
    if (lane < 0 || size_t(lane) >= m_busy.size() || !m_busy[size_t(lane)])
        return;
    m_busy[size_t(lane)] = 0;
    offerHead(lane);
}

double BatchQueue::nextAvailable() const
{
    double next = never;
    if (!m_shared.empty())
        next = m_shared.top().available;
    if (!m_freeHeads.empty())
        next = std::min(next, std::get<0>(*m_freeHeads.begin()));
    return next;
}

} // namespace lockstep
