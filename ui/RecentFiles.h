#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace lockstep::ui {

// The most recently opened files, kept in QSettings and shown as File → Open Recent.
class RecentFiles : public QObject {
    Q_OBJECT
public:
    explicit RecentFiles(QObject *parent = nullptr);

    void add(const QString &path);
    QStringList files() const;
    void clear();
    void fillMenu(QMenu *menu) const;   // one action per file; triggers fileChosen

    static constexpr int kMaximum = 10;

signals:
    void fileChosen(const QString &path);
    void changed();
};

} // namespace lockstep::ui
