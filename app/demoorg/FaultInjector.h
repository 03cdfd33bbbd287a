#pragma once

#include "common/Error.h"
#include "demoorg/HttpMessage.h"

#include <chrono>

namespace lockstep::demoorg {

// Faults a load must survive, at given rates per request, decided by (seed, request number) so
// a run repeats: "500=0.02,503=0.01,drop=0.01,slow=0.05:2000,expire=0.005,limit=0.01".
//   500 / 503  answer with a server error before doing anything;
//   limit      403 REQUEST_LIMIT_EXCEEDED before doing anything;
//   expire     the caller's session ends (401 INVALID_SESSION_ID; a client refreshes);
//   drop       do the work, commit, then close the connection without an answer;
//   slow:MS    do the work, then answer MS milliseconds late (default 2000).
struct FaultSpec {
    double serverError = 0, unavailable = 0, limit = 0, expire = 0, drop = 0, slow = 0;
    std::chrono::milliseconds slowBy{2000};

    static Result<FaultSpec> parse(const QString &text);
    bool any() const { return serverError + unavailable + limit + expire + drop + slow > 0; }
};

class FaultInjector {
public:
    enum class Before { None, ServerError, Unavailable, Limit, Expire };
    enum class After { None, Drop, Slow };

    FaultInjector(FaultSpec spec, std::uint64_t seed) : m_spec(spec), m_seed(seed) {}

    Before before(std::uint64_t sequence) const;
    After after(std::uint64_t sequence) const;
    const FaultSpec &spec() const { return m_spec; }

private:
    double draw(std::uint64_t sequence, std::uint64_t stream) const;
    FaultSpec m_spec;
    std::uint64_t m_seed;
};

} // namespace lockstep::demoorg
