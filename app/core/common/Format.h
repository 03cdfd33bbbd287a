#pragma once

#include <QString>

namespace lockstep {

// Numbers for people: "12,000" and "13.3%". JSON and CSV output use plain numbers instead.
QString grouped(qint64 n);
QString percent(double share, int decimals = 1);
// "8.5 s", "42 s", "3.2 min", "1.6 h": a duration as the CLI and reports print it.
QString durationText(double seconds);

} // namespace lockstep
