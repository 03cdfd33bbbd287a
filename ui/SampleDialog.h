#pragma once

#include "sample/SampleGenerator.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace lockstep::ui {

// Asks for the shape of a sample load file (object, rows, parents, skew, house account) and
// where to save it. Consultants use it to show skew without touching a client's org.
class SampleDialog : public QDialog {
    Q_OBJECT
public:
    explicit SampleDialog(QWidget *parent = nullptr);

    SampleOptions options() const;
    QString outputPath() const;
    void setOutputPath(const QString &path);

private:
    QComboBox *m_object;
    QSpinBox *m_rows;
    QSpinBox *m_parents;
    QComboBox *m_skew;
    QSpinBox *m_house;
    QSpinBox *m_seed;
    QCheckBox *m_sorted;
    QLineEdit *m_path;
};

} // namespace lockstep::ui
