#include "TriageDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QVBoxLayout>

namespace lockstep::ui {

TriageDialog::TriageDialog(const QString &orgLabel, QWidget *parent)
    : QDialog(parent), m_tabs(new QTabWidget), m_files(new QListWidget), m_source(new QLineEdit), m_folder(new QLineEdit),
      m_jobId(new QLineEdit), m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("TriageDialog"));
    setWindowTitle(tr("Open Failed Job — Lockstep"));
    setMinimumWidth(640);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Triage"));

    auto *filesPage = new QWidget;
    auto *filesLayout = new QVBoxLayout(filesPage);
    filesLayout->addWidget(new QLabel(tr("The job's result files: Data Loader's error and success files, Bulk API 1.0 results, or "
                                         "Bulk API 2.0 failed/successful/unprocessed records.")));
    m_files->setSelectionMode(QAbstractItemView::ExtendedSelection);
    filesLayout->addWidget(m_files);
    auto *fileButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add Files…"));
    auto *remove = new QPushButton(tr("Remove"));
    fileButtons->addWidget(add);
    fileButtons->addWidget(remove);
    fileButtons->addStretch(1);
    filesLayout->addLayout(fileButtons);
    auto *sourceRow = new QHBoxLayout;
    m_source->setPlaceholderText(tr("optional: the load file the job sent (Bulk API 1.0 results need it)"));
    auto *browseSource = new QPushButton(tr("Browse…"));
    sourceRow->addWidget(new QLabel(tr("Load file:")));
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(browseSource);
    filesLayout->addLayout(sourceRow);
    m_tabs->addTab(filesPage, tr("Result files"));

    auto *folderPage = new QWidget;
    auto *folderLayout = new QVBoxLayout(folderPage);
    folderLayout->addWidget(new QLabel(tr("A folder of a Bulk job's documents (job.xml, batches.xml, each batch's request and result; "
                                          "or job.json and the Bulk API 2.0 result files), as 'lockstep-cli triage --save' keeps them.")));
    auto *folderRow = new QHBoxLayout;
    auto *browseFolder = new QPushButton(tr("Browse…"));
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browseFolder);
    folderLayout->addLayout(folderRow);
    folderLayout->addStretch(1);
    m_tabs->addTab(folderPage, tr("Job folder"));

    auto *jobPage = new QWidget;
    auto *jobLayout = new QFormLayout(jobPage);
    m_jobId->setPlaceholderText(tr("750… (Bulk API 1.0 or 2.0 job id)"));
    jobLayout->addRow(tr("Job id:"), m_jobId);
    jobLayout->addRow(tr("Org:"), new QLabel(orgLabel.isEmpty() ? tr("none connected (choose one in the File step)") : orgLabel));
    m_tabs->addTab(jobPage, tr("Job in the org"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_buttons);

    connect(add, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("The job's result files"), {}, tr("CSV or XML (*.csv *.xml);;All files (*)"));
        m_files->addItems(files);
        updateOk();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        qDeleteAll(m_files->selectedItems());
        updateOk();
    });
    connect(browseSource, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("The job's load file"), {}, tr("CSV files (*.csv);;All files (*)"));
        if (!file.isEmpty())
            m_source->setText(file);
    });
    connect(browseFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("A Bulk job's documents"));
        if (!dir.isEmpty())
            m_folder->setText(dir);
    });
    for (QLineEdit *edit : {m_folder, m_jobId})
        connect(edit, &QLineEdit::textChanged, this, &TriageDialog::updateOk);
    connect(m_tabs, &QTabWidget::currentChanged, this, &TriageDialog::updateOk);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateOk();
}

TriageRequest TriageDialog::request() const
{
    TriageRequest r;
    switch (m_tabs->currentIndex()) {
    case 0:
        for (int i = 0; i < m_files->count(); ++i)
            r.files << m_files->item(i)->text();
        r.source = m_source->text().trimmed();
        break;
    case 1: r.folder = m_folder->text().trimmed(); break;
    default: r.jobId = m_jobId->text().trimmed(); break;
    }
    return r;
}

void TriageDialog::setFiles(const QStringList &files, const QString &source)
{
    m_tabs->setCurrentIndex(0);
    m_files->clear();
    m_files->addItems(files);
    m_source->setText(source);
    updateOk();
}

void TriageDialog::setFolder(const QString &folder)
{
    m_tabs->setCurrentIndex(1);
    m_folder->setText(folder);
}

void TriageDialog::setJobId(const QString &jobId)
{
    m_tabs->setCurrentIndex(2);
    m_jobId->setText(jobId);
}

void TriageDialog::updateOk()
{
    static const QRegularExpression salesforceId(QStringLiteral("^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$"));
    bool ok = false;
    switch (m_tabs->currentIndex()) {
    case 0: ok = m_files->count() > 0; break;
    case 1: ok = !m_folder->text().trimmed().isEmpty(); break;
    default: ok = salesforceId.match(m_jobId->text().trimmed()).hasMatch(); break;
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace lockstep::ui
