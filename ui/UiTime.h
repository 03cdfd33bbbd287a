#pragma once

#include <QString>

namespace lockstep::ui {

// "3 min 02 s", "40 min", "1 h 05 min", "45 s", "0.8 s": durations as an admin reads them.
QString duration(double seconds);

} // namespace lockstep::ui
