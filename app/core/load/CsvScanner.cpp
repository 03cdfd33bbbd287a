#include "load/CsvScanner.h"

namespace lockstep::csv {

namespace {
template <class MaskOf>
std::uint64_t countInRange(const char *data, std::uint64_t begin, std::uint64_t end, MaskOf maskOf)
{
    std::uint64_t count = 0;
    std::uint64_t pos = begin;
    for (; pos + 64 <= end; pos += 64)
        count += unsigned(std::popcount(maskOf(data + pos)));
    if (pos < end) {
        alignas(16) char tail[64];
        std::memset(tail, ' ', sizeof tail);
        std::memcpy(tail, data + pos, end - pos);
        count += unsigned(std::popcount(maskOf(tail) & bitRange(0, unsigned(end - pos))));
    }
    return count;
}
} // namespace

std::uint64_t countQuotes(const char *data, std::uint64_t begin, std::uint64_t end, char quote)
{
    return countInRange(data, begin, end,
                        [quote](const char *p) { return classifyBlock(p, quote, quote, quote).quote; });
}

std::uint64_t countNewlines(const char *data, std::uint64_t begin, std::uint64_t end, char newline)
{
    return countInRange(data, begin, end,
                        [newline](const char *p) { return classifyBlock(p, newline, newline, newline).newline; });
}

std::uint64_t findRecordStart(const char *data, std::uint64_t size, std::uint64_t chunkBegin, bool insideQuotes,
                              const CsvDialect &dialect)
{
    // A record starts at chunkBegin when the byte before it is a newline outside quotes
    // (a newline does not change the quote state, so the state at chunkBegin applies).
    if (!insideQuotes && data[chunkBegin - 1] == dialect.newline)
        return chunkBegin;
    bool inQuotes = insideQuotes;
    std::uint64_t pos = chunkBegin;
    alignas(16) char tail[64];
    while (pos < size) {
        const char *block = data + pos;
        std::uint64_t valid = ~std::uint64_t(0);
        if (size - pos < 64) {
            std::memset(tail, ' ', sizeof tail);
            std::memcpy(tail, block, size - pos);
            block = tail;
            valid = bitRange(0, unsigned(size - pos));
        }
        const BlockMasks m = classifyBlock(block, dialect.quote, dialect.delimiter, dialect.newline);
        const std::uint64_t inside = prefixXor(m.quote & valid) ^ (inQuotes ? ~std::uint64_t(0) : 0);
        inQuotes = (inside >> 63) & 1;
        const std::uint64_t structuralNl = m.newline & valid & ~inside;
        if (structuralNl)
            return pos + unsigned(std::countr_zero(structuralNl)) + 1;
        pos += 64;
    }
    return size;
}

std::string_view decodeField(std::string_view raw, char quote, std::string &scratch)
{
    if (raw.size() < 2 || raw.front() != quote || raw.back() != quote)
        return raw;
    const std::string_view inner = raw.substr(1, raw.size() - 2);
    if (inner.find(quote) == std::string_view::npos)
        return inner;
    scratch.clear();
    scratch.reserve(inner.size());
    for (size_t i = 0; i < inner.size(); ++i) {
        scratch.push_back(inner[i]);
        if (inner[i] == quote && i + 1 < inner.size() && inner[i + 1] == quote)
            ++i;
    }
    return scratch;
}

} // namespace lockstep::csv
