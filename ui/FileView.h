#pragma once

#include <QWidget>

class QListWidget;
class QPushButton;

namespace lockstep::ui {

class MappingPanel;
class OrgPicker;
class RecentFiles;

// The File step: where a load starts — open a load file (or drop one on the window), generate
// a sample, open the jobs of the job store — with the recent files a double click away, the open
// file's mapping (what it loads, how, which columns lock what) and the org jobs will run against.
class FileView : public QWidget {
    Q_OBJECT
public:
    FileView(RecentFiles *recent, OrgPicker *orgPicker, MappingPanel *mapping, QWidget *parent = nullptr);

    void refreshRecent();
    // Shows the open file's mapping (once a file has been read).
    void setLoadShown(bool shown);
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
    QWidget *m_load;
};

} // namespace lockstep::ui
