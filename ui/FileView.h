#pragma once

#include <QWidget>

class QListWidget;
class QPushButton;

namespace lockstep::ui {

class OrgPicker;
class RecentFiles;

// The File step: where a load starts — open a load file (or drop one on the window), generate
// a sample, open the jobs of the job store — with the recent files a double click away and the
// org jobs will run against.
class FileView : public QWidget {
    Q_OBJECT
public:
    FileView(RecentFiles *recent, OrgPicker *orgPicker, QWidget *parent = nullptr);

    void refreshRecent();
    QPushButton *openButton() const { return m_open; }
    QListWidget *recentList() const { return m_recentList; }

signals:
    void openRequested();
    void sampleRequested();
    void jobsRequested();
    void failedJobRequested();
    void fileChosen(const QString &path);

protected:
    void showEvent(QShowEvent *event) override;

private:
    RecentFiles *m_recent;
    QPushButton *m_open;
    QPushButton *m_sample;
    QPushButton *m_jobs;
    QPushButton *m_failed;
    QListWidget *m_recentList;
};

} // namespace lockstep::ui
