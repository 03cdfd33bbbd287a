#include "common/StringInterner.h"

#include "common/Hash.h"

#include <cstring>

namespace lockstep {

namespace {
// memcmp without the call for the short keys that dominate (Ids).
inline bool equalBytes(const char *a, const char *b, std::size_t n)
{
    if (n >= 8 && n <= 16) {
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a, 8);
        std::memcpy(&b0, b, 8);
        std::memcpy(&a1, a + n - 8, 8);
        std::memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return std::memcmp(a, b, n) == 0;
}
} // namespace

StringInterner::StringInterner()
{
    m_slots.assign(1024, 0);
    m_mask = 1023;
}

std::uint32_t StringInterner::slotFor(std::string_view text, std::uint64_t hash) const
{
    std::uint32_t slot = std::uint32_t(hash) & m_mask;
    for (;;) {
        const std::uint32_t entry = m_slots[slot];
        if (entry == 0)
            return slot;
        const std::uint32_t id = entry - 1;
        if (m_hashes[id] == hash) {
            const std::uint32_t begin = m_offsets[id];
            const std::uint32_t length = m_offsets[id + 1] - begin;
            if (length == text.size() && equalBytes(m_arena.data() + begin, text.data(), length))
                return slot;
        }
        slot = (slot + 1) & m_mask;
    }
}

std::uint32_t StringInterner::find(std::string_view text) const
{
    const std::uint32_t entry = m_slots[slotFor(text, hashBytes(text))];
    return entry ? entry - 1 : npos;
}

std::uint32_t StringInterner::intern(std::string_view text)
{
    const std::uint64_t hash = hashBytes(text);
    std::uint32_t slot = slotFor(text, hash);
    if (m_slots[slot])
        return m_slots[slot] - 1;
    const std::uint32_t id = size();
    m_arena.insert(m_arena.end(), text.begin(), text.end());
    m_offsets.push_back(std::uint32_t(m_arena.size()));
    m_hashes.push_back(hash);
    m_slots[slot] = id + 1;
    if (std::size_t(size()) * 2 > m_slots.size())
        grow();
    return id;
}

std::string_view StringInterner::text(std::uint32_t id) const
{
    return std::string_view(m_arena.data() + m_offsets[id], m_offsets[id + 1] - m_offsets[id]);
}

void StringInterner::grow()
{
    std::vector<std::uint32_t> grown(m_slots.size() * 2, 0);
    const std::uint32_t mask = std::uint32_t(grown.size() - 1);
    for (std::uint32_t id = 0; id < size(); ++id) {
        std::uint32_t slot = std::uint32_t(m_hashes[id]) & mask;
        while (grown[slot])
            slot = (slot + 1) & mask;
        grown[slot] = id + 1;
    }
    m_slots = std::move(grown);
    m_mask = mask;
}

std::size_t StringInterner::memoryBytes() const
{
    return m_arena.capacity() + m_offsets.capacity() * 4 + m_hashes.capacity() * 8 + m_slots.capacity() * 4;
}

} // namespace lockstep
