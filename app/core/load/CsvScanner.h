#pragma once

// The structural scanner under every CSV read: finds record and field boundaries at several
// GB/s by classifying 64 bytes at a time into bit masks (quotes, delimiters, newlines) and
// computing "inside quotes" with a prefix XOR over the quote mask. Parsing a chunk therefore
// only needs to know whether the chunk starts inside a quoted field, which the quote-count
// parity of everything before it tells — that is what lets two threads parse one file.
//
// Quoting rules (RFC 4180): a field is either unquoted (no quote character in it) or enclosed
// in quotes with inner quotes doubled. A quote anywhere else makes the field malformed; the
// scanner reports it (badQuoteField) instead of guessing.

#include "common/Progress.h"
#include "load/CsvDialect.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lockstep::csv {

struct BlockMasks {
    std::uint64_t quote = 0;
    std::uint64_t delimiter = 0;
    std::uint64_t newline = 0;
    std::uint64_t high = 0;   // bytes >= 0x80 (non-ASCII, need UTF-8 validation)
    std::uint64_t nul = 0;
};

inline BlockMasks classifyBlock(const char *p, char quote, char delimiter, char newline)
{
    BlockMasks m;
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8(quote);
    const __m128i d = _mm_set1_epi8(delimiter);
    const __m128i n = _mm_set1_epi8(newline);
    const __m128i z = _mm_setzero_si128();
    for (int i = 0; i < 4; ++i) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
        const int shift = 16 * i;
        m.quote |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)))) << shift;
        m.delimiter |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)))) << shift;
        m.newline |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, n)))) << shift;
        m.high |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(v))) << shift;
        m.nul |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, z)))) << shift;
    }
#else
    for (int i = 0; i < 64; ++i) {
        const std::uint64_t bit = std::uint64_t(1) << i;
        const char c = p[i];
        if (c == quote) m.quote |= bit;
        if (c == delimiter) m.delimiter |= bit;
        if (c == newline) m.newline |= bit;
        if (static_cast<unsigned char>(c) & 0x80) m.high |= bit;
        if (c == 0) m.nul |= bit;
    }
#endif
    return m;
}

// Bit i set when an odd number of bits at positions <= i are set in x.
inline std::uint64_t prefixXor(std::uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

// Bits [from, to) for 0 <= from <= to <= 64.
inline std::uint64_t bitRange(unsigned from, unsigned to)
{
    const std::uint64_t upper = to >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << to) - 1;
    const std::uint64_t lower = from >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << from) - 1;
    return upper & ~lower;
}

// Number of quote characters in [begin, end).
std::uint64_t countQuotes(const char *data, std::uint64_t begin, std::uint64_t end, char quote);

// Number of `newline` characters in [begin, end).
std::uint64_t countNewlines(const char *data, std::uint64_t begin, std::uint64_t end, char newline);

// The first record start at or after `chunkBegin` (> dataBegin), given whether offset
// `chunkBegin` lies inside a quoted field. Returns `size` when no record starts there.
std::uint64_t findRecordStart(const char *data, std::uint64_t size, std::uint64_t chunkBegin,
                              bool insideQuotes, const CsvDialect &dialect);

// A field enclosed in quotes with inner quotes doubled, or with no quote at all.
inline bool isWellQuoted(const char *data, std::uint64_t begin, std::uint64_t end, std::uint64_t quotes,
                         char quote)
{
    if (quotes == 0)
        return true;
    if (end - begin < 2 || data[begin] != quote || data[end - 1] != quote)
        return false;
    if (quotes == 2)
        return true;
    for (std::uint64_t k = begin + 1; k + 1 < end; ++k) {
        if (data[k] == quote) {
            if (k + 2 < end && data[k + 1] == quote)
                ++k;
            else
                return false;
        }
    }
    return true;
}

struct RecordInfo {
    std::uint64_t begin = 0;   // first byte of the record
    std::uint64_t end = 0;     // one past its last byte (newline and a CR before it excluded)
    std::span<const std::uint64_t> fieldEnds;  // where each field ends (its delimiter, or `end`)
    std::uint64_t lineIndex = 0;  // newlines between the scan start and `begin`
    int badQuoteField = -1;    // first field with malformed quoting, or -1
    bool multiline = false;    // a quoted field holds a newline
    bool nonAscii = false;     // has bytes >= 0x80
    std::uint64_t firstHigh = 0;   // nonAscii: offset of the first byte >= 0x80 ...
    std::uint64_t lastHigh = 0;    // ... and of the last (validation only needs this span)
    bool hasNul = false;

    std::uint64_t fieldBegin(size_t i) const { return i == 0 ? begin : fieldEnds[i - 1] + 1; }
    size_t fieldCount() const { return fieldEnds.size(); }
};

struct ScanResult {
    std::uint64_t end = 0;          // where the next record would start (>= stopAt, or size)
    std::uint64_t newlines = 0;     // newline characters in [from, end)
    std::uint64_t blankLines = 0;   // empty records skipped
    bool unterminatedQuote = false; // the data ended inside a quoted field
    std::uint64_t unterminatedBegin = 0;     // start of the record that never closed its quote
    std::uint64_t unterminatedLineIndex = 0; // its line index relative to `from`
    bool cancelled = false;
};

// Emits every record that starts in [from, stopAt) through onRecord(const RecordInfo&), which
// returns false to stop early. `from` must be a record start. Empty lines are skipped. Every
// ~1 MiB it checks `cancel` and calls onBytes(bytesSinceLastCall).
template <class OnRecord, class OnBytes>
ScanResult scanRecords(const char *data, std::uint64_t size, std::uint64_t from, std::uint64_t stopAt,
                       const CsvDialect &dialect, OnRecord &&onRecord, OnBytes &&onBytes,
                       const CancelToken *cancel = nullptr)
{
    ScanResult result;
    const char quote = dialect.quote;
    const char newline = dialect.newline;
    const bool stripCr = newline == '\n';

    std::vector<std::uint64_t> fieldEnds;
    fieldEnds.reserve(64);

    RecordInfo rec;
    rec.begin = from;
    std::uint64_t fieldStart = from;
    std::uint64_t fieldQuotes = 0;
    bool inQuotes = false;
    std::uint64_t newlinesBeforeBlock = 0;
    std::uint64_t recLine = 0;
    std::uint64_t bytesSinceReport = 0;
    alignas(16) char tail[64];

    auto finishField = [&](std::uint64_t fieldEnd) {
        if (fieldQuotes && rec.badQuoteField < 0 && !isWellQuoted(data, fieldStart, fieldEnd, fieldQuotes, quote))
            rec.badQuoteField = int(fieldEnds.size());
        fieldEnds.push_back(fieldEnd);
        fieldQuotes = 0;
    };

    auto emitRecord = [&](std::uint64_t recEnd) -> bool {
        rec.end = recEnd;
        rec.lineIndex = recLine;
        if (fieldEnds.size() == 1 && recEnd == rec.begin) {
            ++result.blankLines;
            return true;
        }
        rec.fieldEnds = fieldEnds;
        return onRecord(static_cast<const RecordInfo &>(rec));
    };

    std::uint64_t pos = from;
    auto noteHigh = [&](std::uint64_t h) {
        if (!rec.nonAscii) {
            rec.nonAscii = true;
            rec.firstHigh = pos + unsigned(std::countr_zero(h));
        }
        rec.lastHigh = pos + 63 - unsigned(std::countl_zero(h));
    };
    while (pos < size) {
        const char *block = data + pos;
        const std::uint64_t avail = size - pos;
        std::uint64_t valid = ~std::uint64_t(0);
        if (avail < 64) {
            std::memset(tail, ' ', sizeof tail);
            std::memcpy(tail, block, avail);
            block = tail;
            valid = (std::uint64_t(1) << avail) - 1;
        }
        const BlockMasks m = classifyBlock(block, quote, dialect.delimiter, newline);
        const std::uint64_t q = m.quote & valid;
        const std::uint64_t nl = m.newline & valid;
        const std::uint64_t high = m.high & valid;
        const std::uint64_t nul = m.nul & valid;
        const std::uint64_t inside = prefixXor(q) ^ (inQuotes ? ~std::uint64_t(0) : 0);
        inQuotes = (inside >> 63) & 1;
        const std::uint64_t structuralNl = nl & ~inside;
        const std::uint64_t quotedNl = nl & inside;
        std::uint64_t structural = structuralNl | (m.delimiter & valid & ~inside);

        unsigned segment = 0;  // first bit of the current, not yet accounted segment
        while (structural) {
            const unsigned i = unsigned(std::countr_zero(structural));
            structural &= structural - 1;
            const std::uint64_t seg = bitRange(segment, i);
            fieldQuotes += unsigned(std::popcount(q & seg));
            if (const std::uint64_t h = high & seg)
                noteHigh(h);
            rec.hasNul |= (nul & seg) != 0;
            rec.multiline |= (quotedNl & seg) != 0;
            segment = i + 1;
            const std::uint64_t at = pos + i;
            if (structuralNl & (std::uint64_t(1) << i)) {
                std::uint64_t recEnd = at;
                if (stripCr && recEnd > fieldStart && data[recEnd - 1] == '\r')
                    --recEnd;
                finishField(recEnd);
                if (!emitRecord(recEnd)) {
                    result.end = at + 1;
                    result.newlines = newlinesBeforeBlock + unsigned(std::popcount(nl & bitRange(0, i + 1)));
                    return result;
                }
                const std::uint64_t next = at + 1;
                recLine = newlinesBeforeBlock + unsigned(std::popcount(nl & bitRange(0, i + 1)));
                if (next >= stopAt) {
                    result.end = next;
                    result.newlines = recLine;
                    return result;
                }
                fieldEnds.clear();
                rec = RecordInfo{};
                rec.begin = next;
                fieldStart = next;
            } else {
                finishField(at);
                fieldStart = at + 1;
            }
        }
        const std::uint64_t rest = bitRange(segment, 64) & valid;
        fieldQuotes += unsigned(std::popcount(q & rest));
        if (const std::uint64_t h = high & rest)
            noteHigh(h);
        rec.hasNul |= (nul & rest) != 0;
        rec.multiline |= (quotedNl & rest) != 0;
        newlinesBeforeBlock += unsigned(std::popcount(nl));
        pos += 64;

        bytesSinceReport += 64;
        if (bytesSinceReport >= (1u << 20)) {
            onBytes(bytesSinceReport);
            bytesSinceReport = 0;
            if (cancel && cancel->isCancelled()) {
                result.cancelled = true;
                result.end = pos;
                return result;
            }
        }
    }
    onBytes(bytesSinceReport);

    result.end = size;
    result.newlines = newlinesBeforeBlock;
    if (rec.begin < size) {
        if (inQuotes) {
            result.unterminatedQuote = true;
            result.unterminatedBegin = rec.begin;
            result.unterminatedLineIndex = recLine;
        } else {
            std::uint64_t recEnd = size;
            if (stripCr && recEnd > fieldStart && data[recEnd - 1] == '\r')
                --recEnd;
            finishField(recEnd);
            emitRecord(recEnd);
        }
    }
    return result;
}

// Decodes a raw field: strips enclosing quotes and undoubles inner ones. Returns a view into
// the raw text when no unescaping is needed, else into `scratch`.
std::string_view decodeField(std::string_view raw, char quote, std::string &scratch);

} // namespace lockstep::csv
