#include "SummaryPanel.h"

#include "UiFormat.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QTimer>

namespace lockstep::ui {

SummaryPanel::SummaryPanel(QWidget *parent)
    : QWidget(parent), m_text(new QLabel(this)), m_order(new QComboBox(this)),
      m_skewThreshold(new QSpinBox(this)), m_debounce(new QTimer(this)), m_skewDebounce(new QTimer(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_text->setTextFormat(Qt::RichText);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_text, 1);
    layout->addWidget(new QLabel(tr("Parents"), this));
    // Most children first by default: skewed parents glow across the top rows.
    m_order->addItem(tr("most children first"), int(ParentOrder::ByChildren));
    m_order->addItem(tr("sorted by Id"), int(ParentOrder::ById));
    m_order->addItem(tr("first appearance"), int(ParentOrder::ByFirstRow));
    layout->addWidget(m_order);
    layout->addWidget(new QLabel(tr("Skew over"), this));
    m_skewThreshold->setRange(1, 100'000'000);
    m_skewThreshold->setGroupSeparatorShown(true);
    m_skewThreshold->setValue(10000);   // Salesforce's own definition of data skew
    m_skewThreshold->setSuffix(tr(" children"));
    layout->addWidget(m_skewThreshold);
    m_skewDebounce->setSingleShot(true);
    m_skewDebounce->setInterval(300);
    connect(m_skewDebounce, &QTimer::timeout, this, &SummaryPanel::skewThresholdChanged);
    connect(m_skewThreshold, &QSpinBox::valueChanged, m_skewDebounce, qOverload<>(&QTimer::start));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, &SummaryPanel::heatmapOptionsChanged);
    connect(m_order, &QComboBox::currentIndexChanged, m_debounce, qOverload<>(&QTimer::start));
    setAnalysis(nullptr);
}

void SummaryPanel::setParentOrder(ParentOrder order)
{
    m_order->setCurrentIndex(m_order->findData(int(order)));
}

qint64 SummaryPanel::skewThreshold() const
{
    return m_skewThreshold->value();
}

void SummaryPanel::setSkewThreshold(qint64 threshold)
{
    m_skewThreshold->setValue(int(std::clamp<qint64>(threshold, 1, 100'000'000)));
}

ParentOrder SummaryPanel::parentOrder() const
{
    return ParentOrder(m_order->currentData().toInt());
}

QString SummaryPanel::text() const
{
    return m_text->text();
}

void SummaryPanel::setAnalysis(AnalysisPtr a)
{
    if (!a) {
        m_text->setText(tr("<b>No file open.</b> File → Open a CSV load file, or a Data Loader / Bulk API error file."));
        return;
    }
    const QStringList rules = a->rules.describe();
    QString text = tr("<b>%1</b>: %2 rows of %3 (%4; %5), %6 parents, %7 s.")
                       .arg(QFileInfo(a->file.path()).fileName().toHtmlEscaped(), grouped(a->file.rowCount()),
                            a->roles.object.isEmpty() ? tr("an unknown object") : a->roles.object,
                            operationName(a->operation), fileKindName(a->roles.kind))
                       .arg(grouped(a->distribution.parents()))
                       .arg(a->seconds, 0, 'f', 2);
    text += QStringLiteral("<br>") +
            (rules.isEmpty() ? tr("Locks: nothing but each row's own record.")
                             : tr("Locks: %1").arg(rules.join(QStringLiteral("; ")).toHtmlEscaped()));
    if (!a->errorCodes.isEmpty()) {
        QStringList codes;
        for (auto it = a->errorCodes.cbegin(); it != a->errorCodes.cend(); ++it)
            codes << QStringLiteral("%1 %2").arg(it.key()).arg(grouped(it.value()));
        text += QStringLiteral("<br>") + tr("Errors in this result file: %1").arg(codes.join(QStringLiteral(", ")));
    }
    m_text->setText(text);
}

} // namespace lockstep::ui
