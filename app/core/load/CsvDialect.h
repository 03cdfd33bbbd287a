#pragma once

#include "common/Error.h"

#include <string_view>

namespace lockstep {

// How a delimited text file is written. Sniffed from the first bytes; the user can override.
struct CsvDialect {
    char delimiter = ',';
    char quote = '"';
    char newline = '\n';      // '\r' only for classic-Mac files that have no '\n' at all
    bool crlf = false;        // records end with "\r\n" (informational; '\r' before '\n' is stripped)
    int bomLength = 0;        // bytes of UTF-8 byte-order mark to skip

    // "comma", "semicolon", "tab", "pipe" or the character itself.
    QString delimiterName() const;
    friend bool operator==(const CsvDialect &, const CsvDialect &) = default;
};

// Reads the start of a file and decides its dialect: BOM, newline style, delimiter (comma,
// semicolon, tab, pipe — the one that splits the first lines into equal, non-zero field counts).
// Fails, naming the file, for content that is not delimited UTF-8 text: UTF-16/32, or binary.
Result<CsvDialect> sniffDialect(std::string_view head, const QString &fileName);

// Parses a delimiter given by a user: ",", ";", "tab", "\t", "|", "pipe", "comma", "semicolon".
std::optional<char> parseDelimiter(const QString &text);

} // namespace lockstep
