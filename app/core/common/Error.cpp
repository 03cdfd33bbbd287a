#include "common/Error.h"

namespace lockstep {

QString Error::toString() const
{
    QString where;
    if (!file.isEmpty()) {
        where = file;
        if (line > 0)
            where += QLatin1Char(':') + QString::number(line);
        where += QLatin1String(": ");
    } else if (line > 0) {
        where = QStringLiteral("line %1: ").arg(line);
    }
    return where + message;
}

int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Usage: return ExitCode::Usage;
    case ErrorKind::NotFound: return ExitCode::NoInput;
    case ErrorKind::BadData: return ExitCode::DataError;
    case ErrorKind::Io: return ExitCode::IoError;
    case ErrorKind::Cancelled: return ExitCode::Interrupted;
    case ErrorKind::Network: return ExitCode::TempFail;
    case ErrorKind::Server: return ExitCode::Unavailable;
    case ErrorKind::Internal: return ExitCode::Software;
    }
    return ExitCode::Software;
}

} // namespace lockstep
