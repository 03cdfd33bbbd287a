#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lockstep {

// Maps distinct strings to dense ids 0, 1, 2... with an open-addressing table and one arena
// for the text: millions of parent Ids cost ~40 bytes each instead of a QString + node each.
class StringInterner {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    StringInterner();

    std::uint32_t intern(std::string_view text);              // existing id or a new one
    std::uint32_t find(std::string_view text) const;          // npos when absent
    std::string_view text(std::uint32_t id) const;
    std::uint32_t size() const { return std::uint32_t(m_offsets.size() - 1); }
    std::size_t memoryBytes() const;

private:
    void grow();
    std::uint32_t slotFor(std::string_view text, std::uint64_t hash) const;

    std::vector<char> m_arena;
    std::vector<std::uint32_t> m_offsets{0};   // m_offsets[id]..m_offsets[id+1] is the text
    std::vector<std::uint64_t> m_hashes;       // per id
    std::vector<std::uint32_t> m_slots;        // id + 1, 0 = empty
    std::uint32_t m_mask = 0;
};

} // namespace lockstep
