#include "FileView.h"

#include "MappingPanel.h"
#include "OrgPicker.h"
#include "RecentFiles.h"

#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace lockstep::ui {

FileView::FileView(RecentFiles *recent, OrgPicker *orgPicker, MappingPanel *mapping, QWidget *parent)
    : QWidget(parent), m_recent(recent), m_open(new QPushButton(tr("Open Load File…"))), m_sample(new QPushButton(tr("Generate Sample File…"))),
      m_jobs(new QPushButton(tr("Open Job Results…"))), m_failed(new QPushButton(tr("Open Failed Job…"))), m_recentList(new QListWidget),
      m_load(new QGroupBox(tr("The open file: what it loads")))
{
    setObjectName(QStringLiteral("FileView"));
    auto *intro = new QLabel(tr("<h2>Plan a Salesforce data load that never ends in UNABLE_TO_LOCK_ROW</h2>"
                                "<p>Open the CSV you are about to load (or drop it on the window). Lockstep shows which parent "
                                "records its rows lock and how they collide, predicts what every mitigation will do, runs the "
                                "one you choose, and keeps every row's outcome.</p>"));
    intro->setWordWrap(true);
    m_open->setToolTip(tr("A CSV of records to insert, update, upsert or delete (Ctrl+O)"));
    m_sample->setToolTip(tr("A realistic load file with skewed parents, to see Lockstep work"));
    m_jobs->setToolTip(tr("The jobs run so far, every row of each (Ctrl+J)"));
    m_failed->setToolTip(tr("Why a job failed, from its Data Loader or Bulk API result files, its folder, or its id (Ctrl+Shift+O)"));
    for (QPushButton *b : {m_open, m_sample, m_jobs, m_failed})
        b->setMinimumHeight(36);
    auto *actions = new QVBoxLayout;
    actions->addWidget(m_open);
    actions->addWidget(m_sample);
    actions->addWidget(m_jobs);
    actions->addWidget(m_failed);
    actions->addStretch(1);

    auto *recentBox = new QGroupBox(tr("Recent files"));
    auto *recentLayout = new QVBoxLayout(recentBox);
    recentLayout->addWidget(m_recentList);
    m_recentList->setToolTip(tr("Double-click to open"));
    auto *orgBox = new QGroupBox(tr("Where jobs run"));
    auto *orgLayout = new QVBoxLayout(orgBox);
    orgLayout->addWidget(orgPicker);

    auto *loadLayout = new QVBoxLayout(m_load);
    loadLayout->addWidget(mapping);
    m_load->setObjectName(QStringLiteral("loadMapping"));
    m_load->hide();

    auto *columns = new QHBoxLayout;
    columns->addLayout(actions, 1);
    columns->addWidget(recentBox, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 12, 24, 12);
    layout->addWidget(intro);
    layout->addLayout(columns, 1);
    layout->addWidget(m_load, 3);
    layout->addWidget(orgBox);

    connect(m_open, &QPushButton::clicked, this, &FileView::openRequested);
    connect(m_sample, &QPushButton::clicked, this, &FileView::sampleRequested);
    connect(m_jobs, &QPushButton::clicked, this, &FileView::jobsRequested);
    connect(m_failed, &QPushButton::clicked, this, &FileView::failedJobRequested);
    connect(m_recentList, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) {
                if (const QString path = item->data(Qt::UserRole).toString(); !path.isEmpty())
                    emit fileChosen(path);
            });
    refreshRecent();
}

void FileView::refreshRecent()
{
    m_recentList->clear();
    for (const QString &path : m_recent->files()) {
        auto *item = new QListWidgetItem(QStringLiteral("%1 — %2").arg(QFileInfo(path).fileName(), QFileInfo(path).absolutePath()));
        item->setData(Qt::UserRole, path);
        m_recentList->addItem(item);
    }
    if (m_recentList->count() == 0)
        m_recentList->addItem(tr("No file opened yet"));
}

void FileView::setLoadShown(bool shown)
{
    m_load->setVisible(shown);
}

void FileView::showEvent(QShowEvent *event)
{
    refreshRecent();
    QWidget::showEvent(event);
}

} // namespace lockstep::ui
