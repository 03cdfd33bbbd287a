#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QString>

namespace lockstep {

// The SHA-256 of a file's bytes, in lower-case hex: how a job remembers its source, so that a
// resume refuses a file that changed. OpenSSL's digest (SHA-NI or AVX2 where the CPU has
// them: 1–2 GB/s, against Qt's ~0.2 GB/s portable one) — a resume hashes its whole source
// before it sends anything. Read with read(2), not mapped: a file cut short while it is read
// is an I/O error, not a SIGBUS.
Result<QByteArray> fileSha256(const QString &path);

} // namespace lockstep
