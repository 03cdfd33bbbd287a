#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lockstep {

// A fast, good-quality 64-bit hash for short keys (Salesforce Ids, external ids). Not
// cryptographic; the interner and duplicate checks compare the bytes after a hash match.
inline std::uint64_t mix64(std::uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

inline std::uint64_t hashBytes(std::string_view s)
{
    const char *p = s.data();
    std::size_t n = s.size();
    if (n >= 8 && n <= 16) {
        // Two overlapping words cover every byte of a short key (a 15/18-character Id).
        std::uint64_t a, b;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + n - 8, 8);
        return mix64(a * 0x9E3779B97F4A7C15ULL ^ (b + n) * 0xC2B2AE3D27D4EB4FULL);
    }
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = mix64(h ^ w) + 0x632BE59BD9B4E019ULL;
        p += 8;
        n -= 8;
    }
    if (n) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = mix64(h ^ w ^ (std::uint64_t(n) << 56));
    }
    return mix64(h);
}

} // namespace lockstep
