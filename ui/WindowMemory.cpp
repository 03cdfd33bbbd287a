#include "WindowMemory.h"

#include <QMainWindow>
#include <QSettings>
#include <QSplitter>

namespace lockstep::ui {

void WindowMemory::restore(QMainWindow &window, const QString &prefix)
{
    QSettings settings;
    if (!window.restoreGeometry(settings.value(prefix + QStringLiteral("/geometry")).toByteArray()))
        window.resize(1600, 1000);
    window.restoreState(settings.value(prefix + QStringLiteral("/state")).toByteArray());
    for (auto *splitter : window.findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            splitter->restoreState(settings.value(prefix + QLatin1Char('/') + splitter->objectName()).toByteArray());
}

void WindowMemory::save(const QMainWindow &window, const QString &prefix)
{
    QSettings settings;
    settings.setValue(prefix + QStringLiteral("/geometry"), window.saveGeometry());
    settings.setValue(prefix + QStringLiteral("/state"), window.saveState());
    for (auto *splitter : window.findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(prefix + QLatin1Char('/') + splitter->objectName(), splitter->saveState());
}

} // namespace lockstep::ui
