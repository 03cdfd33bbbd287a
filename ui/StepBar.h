#pragma once

#include <QWidget>

#include <array>

class QPushButton;

namespace lockstep::ui {

// The steps of a load, left to right; each is a view of its own in the main window.
enum class Step { File, Analyse, Plan, Run, Results };
constexpr int kStepCount = 5;

// The row of step buttons at the top of the window ("1 File › 2 Analyse › 3 Plan › 4 Run ›
// 5 Results"): the current step is checked, steps not reachable yet are disabled, Ctrl+1…5
// go to a step.
class StepBar : public QWidget {
    Q_OBJECT
public:
    explicit StepBar(QWidget *parent = nullptr);

    void setCurrent(Step step);
    Step current() const { return m_current; }
    void setReachable(Step step, bool reachable);
    bool isReachable(Step step) const;
    QPushButton *button(Step step) const { return m_buttons[size_t(step)]; }
    static QString name(Step step);

signals:
    void stepChosen(lockstep::ui::Step step);

private:
    std::array<QPushButton *, kStepCount> m_buttons{};
    Step m_current = Step::File;
};

} // namespace lockstep::ui
