#pragma once

#include <cstdint>

namespace lockstep {

// xoshiro256** seeded through splitmix64: fast, and the same sequence on every platform and
// compiler (std::uniform_*_distribution are not), so a seed reproduces a file or a prediction.
class Random {
public:
    explicit Random(std::uint64_t seed)
    {
        for (auto &s : m_state) {
            seed += 0x9E3779B97F4A7C15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            s = z ^ (z >> 31);
        }
    }

    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    // Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; bias below 2^-32 for our bounds).
    std::uint64_t below(std::uint64_t bound)
    {
        __extension__ using uint128 = unsigned __int128;
        return std::uint64_t((static_cast<uint128>(next()) * bound) >> 64);
    }

    // Uniform in [0, 1).
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_state[4];
};

} // namespace lockstep
