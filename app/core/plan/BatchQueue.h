#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

namespace lockstep {

// How batches of a plan reach free workers: the oldest available batch first (a parallel
// job's FIFO queue), except that a lane — a serial job — runs one batch at a time, in order.
// Shared by the predictor and the planner's own schedule estimate, so both mean the same.
class BatchQueue {
public:
    static constexpr double never = std::numeric_limits<double>::infinity();

    struct Entry {
        double available = 0;     // uploaded (or re-queued) at
        std::uint64_t seq = 0;    // ties: first pushed first
        std::uint32_t batch = 0;
        std::uint32_t offset = 0; // rows of the batch already processed (a re-queued rest)
        int requeues = 0;
        int lane = -1;            // -1: no lane (any number may run at once)

        bool operator>(const Entry &o) const
        {
            return available != o.available ? available > o.available : seq > o.seq;
        }
    };

    explicit BatchQueue(int lanes = 0) : m_lanes(size_t(std::max(0, lanes))), m_busy(size_t(std::max(0, lanes)), 0) {}

    void push(Entry e);
    // The oldest entry available at `now` whose lane is free; its lane becomes busy.
    std::optional<Entry> take(double now);
    // The lane's batch finished (or its rest was re-queued): the lane may run again.
    void release(int lane);
    // The earliest time take() may return something, assuming busy lanes stay busy; `never`
    // when nothing is queued for a free lane or without a lane.
    double nextAvailable() const;
    bool empty() const { return m_size == 0; }
    std::size_t size() const { return m_size; }

private:
    using Heap = std::priority_queue<Entry, std::vector<Entry>, std::greater<>>;
    using Head = std::tuple<double, std::uint64_t, int>;   // (available, seq, lane) of a free lane's oldest entry
    void offerHead(int lane);

    Heap m_shared;
    std::vector<Heap> m_lanes;
    std::vector<char> m_busy;
    std::set<Head> m_freeHeads;
    std::size_t m_size = 0;
};

} // namespace lockstep
