#include "SampleDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>

namespace lockstep::ui {

SampleDialog::SampleDialog(QWidget *parent)
    : QDialog(parent), m_object(new QComboBox(this)), m_rows(new QSpinBox(this)), m_parents(new QSpinBox(this)),
      m_skew(new QComboBox(this)), m_house(new QSpinBox(this)), m_seed(new QSpinBox(this)), m_sorted(new QCheckBox(this)),
      m_path(new QLineEdit(this))
{
    setWindowTitle(tr("Generate a sample load file"));
    auto *form = new QFormLayout(this);
    m_object->addItems({QStringLiteral("Opportunity"), QStringLiteral("Contact"), QStringLiteral("Case"), QStringLiteral("Task"),
                        QStringLiteral("Event"), QStringLiteral("Account"), QStringLiteral("Line_Item__c")});
    form->addRow(tr("Object"), m_object);
    m_rows->setRange(1, 100'000'000);
    m_rows->setValue(90000);
    m_rows->setGroupSeparatorShown(true);
    form->addRow(tr("Rows"), m_rows);
    m_parents->setRange(1, 10'000'000);
    m_parents->setValue(5000);
    m_parents->setGroupSeparatorShown(true);
    form->addRow(tr("Parents"), m_parents);
    m_skew->addItem(tr("Uniform"), QStringLiteral("uniform"));
    m_skew->addItem(tr("Mild (Zipf 0.6)"), QStringLiteral("zipf:0.6"));
    m_skew->addItem(tr("Strong (Zipf 1.0)"), QStringLiteral("zipf:1.0"));
    m_skew->addItem(tr("Extreme (Zipf 1.5)"), QStringLiteral("zipf:1.5"));
    m_skew->setCurrentIndex(1);
    form->addRow(tr("Spread"), m_skew);
    m_house->setRange(0, 100'000'000);
    m_house->setValue(12000);
    m_house->setGroupSeparatorShown(true);
    m_house->setToolTip(tr("One parent holding exactly this many rows (0 for none): a catch-all \"house account\"."));
    form->addRow(tr("House account rows"), m_house);
    m_seed->setRange(0, 1'000'000);
    m_seed->setValue(1);
    form->addRow(tr("Seed"), m_seed);
    m_sorted->setText(tr("Rows grouped by parent"));
    form->addRow(QString(), m_sorted);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    pathRow->addWidget(browse);
    form->addRow(tr("Save as"), pathRow);
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_path->setText(QDir(documents.isEmpty() ? QDir::homePath() : documents).filePath(QStringLiteral("lockstep-sample.csv")));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save sample as"), m_path->text(), tr("CSV files (*.csv)"));
        if (!path.isEmpty())
            m_path->setText(path);
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Generate and open"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

SampleOptions SampleDialog::options() const
{
    SampleOptions o;
    o.object = m_object->currentText();
    o.rows = m_rows->value();
    o.parents = m_parents->value();
    o.skew = SkewSpec::parse(m_skew->currentData().toString()).value_or(SkewSpec{});
    o.houseAccountRows = std::min<qint64>(m_house->value(), o.rows);
    o.seed = std::uint64_t(m_seed->value());
    o.sortedByParent = m_sorted->isChecked();
    return o;
}

QString SampleDialog::outputPath() const
{
    return m_path->text();
}

void SampleDialog::setOutputPath(const QString &path)
{
    m_path->setText(path);
}

} // namespace lockstep::ui
