#pragma once

class QMainWindow;
class QString;

namespace lockstep::ui {

// What a window looked like when it was closed — geometry, dock state and every named splitter —
// kept in QSettings under `prefix` and restored at the next start (a first start gets `1600×1000`).
struct WindowMemory {
    static void restore(QMainWindow &window, const QString &prefix);
    static void save(const QMainWindow &window, const QString &prefix);
};

} // namespace lockstep::ui
