#pragma once

#include <QString>

namespace lockstep {

// Numbers for people: "12,000" and "13.3%". JSON and CSV output use plain numbers instead.
QString grouped(qint64 n);
QString percent(double share, int decimals = 1);

} // namespace lockstep
