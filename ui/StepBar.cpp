#include "StepBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>

namespace lockstep::ui {

QString StepBar::name(Step step)
{
    switch (step) {
    case Step::File: return tr("File");
    case Step::Analyse: return tr("Analyse");
    case Step::Plan: return tr("Plan");
    case Step::Run: return tr("Run");
    case Step::Results: return tr("Results");
    }
    return {};
}

StepBar::StepBar(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("StepBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    static const char *const tips[] = {
        QT_TR_NOOP("Open a load file, a failed job's files, or a job of the job store; choose the org"),
        QT_TR_NOOP("How the rows spread over the parents Salesforce locks: heatmap, skew, bad rows, lock rules"),
        QT_TR_NOOP("Choose a mitigation and compare what each is predicted to do"),
        QT_TR_NOOP("Run the plan against the org and watch it: lanes, lock errors as they happen, the prediction beside"),
        QT_TR_NOOP("Every row of the job: filter, explain, retry the locked rows, export result files"),
    };
    for (int i = 0; i < kStepCount; ++i) {
        const auto step = Step(i);
        if (i > 0) {
            auto *arrow = new QLabel(QStringLiteral("›"));
            arrow->setEnabled(false);
            layout->addWidget(arrow);
        }
        auto *button = new QPushButton(QStringLiteral("&%1  %2").arg(i + 1).arg(name(step)));
        button->setObjectName(QStringLiteral("step%1").arg(name(step)));
        button->setCheckable(true);
        button->setFlat(true);
        button->setToolTip(tr("%1 (Ctrl+%2)").arg(tr(tips[i])).arg(i + 1));
        button->setMinimumWidth(110);
        QFont font = button->font();
        font.setPointSizeF(font.pointSizeF() * 1.1);
        button->setFont(font);
        connect(button, &QPushButton::clicked, this, [this, step] {
            setCurrent(m_current);   // keep the check on the current step until the window moves
            emit stepChosen(step);
        });
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, [this, step] {
            if (isReachable(step))
                emit stepChosen(step);
        });
        m_buttons[size_t(i)] = button;
        layout->addWidget(button);
    }
    layout->addStretch(1);
    setCurrent(Step::File);
    for (int i = 1; i < kStepCount; ++i)
        setReachable(Step(i), false);
}

void StepBar::setCurrent(Step step)
{
    m_current = step;
    for (int i = 0; i < kStepCount; ++i)
        m_buttons[size_t(i)]->setChecked(i == int(step));
}

void StepBar::setReachable(Step step, bool reachable)
{
    m_buttons[size_t(step)]->setEnabled(reachable);
}

bool StepBar::isReachable(Step step) const
{
    return m_buttons[size_t(step)]->isEnabled();
}

} // namespace lockstep::ui
