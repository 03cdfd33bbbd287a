#pragma once

#include <QString>

#include <expected>

namespace lockstep {

// What went wrong, in the categories a caller acts on differently (and that map onto
// sysexits-style exit codes in the CLI).
enum class ErrorKind {
    Usage,      // the caller asked for something impossible (bad option, batch size 0)
    NotFound,   // a file, record or resource does not exist
    BadData,    // the input exists but is malformed
    Io,         // reading or writing failed
    Cancelled,  // the user asked to stop
    Network,    // the org could not be reached
    Server,     // the org answered with an error
    Internal,   // a bug in Lockstep
};

// An error as a value: a message a user can act on, and where it happened.
struct Error {
    ErrorKind kind = ErrorKind::Internal;
    QString message;
    QString file;       // the file the error is about, if any
    qint64 line = 0;    // 1-based physical line in that file, 0 = not about a line
    qint64 row = 0;     // 1-based data row (the header is not a row), 0 = not about a row

    // "file.csv:17: message" — the form compilers use, which editors and terminals link.
    QString toString() const;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, QString message, QString file = {}, qint64 line = 0,
                                   qint64 row = 0)
{
    return std::unexpected(Error{kind, std::move(message), std::move(file), line, row});
}

// sysexits.h values, so scripts can tell bad data from a missing file from a cancelled run.
int exitCodeFor(ErrorKind kind);

namespace ExitCode {
constexpr int Ok = 0;
constexpr int Usage = 64;       // EX_USAGE
constexpr int DataError = 65;   // EX_DATAERR
constexpr int NoInput = 66;     // EX_NOINPUT
constexpr int Software = 70;    // EX_SOFTWARE
constexpr int CantCreate = 73;  // EX_CANTCREAT
constexpr int IoError = 74;     // EX_IOERR
constexpr int TempFail = 75;    // EX_TEMPFAIL (the org is unreachable; try again)
constexpr int Unavailable = 69; // EX_UNAVAILABLE (the org refused)
constexpr int Interrupted = 130;
} // namespace ExitCode

} // namespace lockstep
