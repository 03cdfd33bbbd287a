#include "RecentFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace lockstep::ui {

namespace {
const QString kKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QObject *parent) : QObject(parent) {}

QStringList RecentFiles::files() const
{
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaximum)
        list.removeLast();
    QSettings().setValue(kKey, list);
    emit changed();
}

void RecentFiles::clear()
{
    QSettings().remove(kKey);
    emit changed();
}

void RecentFiles::fillMenu(QMenu *menu) const
{
    menu->clear();
    const QStringList list = files();
    int n = 0;
    for (const QString &path : list) {
        auto *action = menu->addAction(QStringLiteral("&%1 %2").arg(++n % 10).arg(QDir::toNativeSeparators(path)));
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] { emit const_cast<RecentFiles *>(this)->fileChosen(path); });
    }
    if (list.isEmpty())
        menu->addAction(tr("(none)"))->setEnabled(false);
    menu->addSeparator();
    connect(menu->addAction(tr("Clear list")), &QAction::triggered, this, [this] { const_cast<RecentFiles *>(this)->clear(); });
}

} // namespace lockstep::ui
