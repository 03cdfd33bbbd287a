#pragma once

#include <QByteArray>
#include <QStringList>

#include <vector>

namespace lockstep {

// RFC 4180 rows of a small CSV document held in memory (a Bulk answer, one batch's request or
// result): quoted fields, "" escapes, CRLF or LF. Big files go through LoadFile, not this.
std::vector<QStringList> parseCsvText(const QByteArray &text);

} // namespace lockstep
