#pragma once

#include <QString>

namespace lockstep::ui {

QString grouped(qint64 n);                       // 12,000
QString percent(double share, int decimals = 1);  // 13.3%
QString shortId(const QString &id);              // 0015Q0fUbJn5z2wQUA → 0015Q0…2wQUA for tight spaces

} // namespace lockstep::ui
