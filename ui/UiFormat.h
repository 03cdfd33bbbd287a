#pragma once

#include "common/Format.h"

#include <QString>

namespace lockstep::ui {

using lockstep::grouped;
using lockstep::percent;
QString shortId(const QString &id);              // 0015Q0fUbJn5z2wQUA → 0015Q0…2wQUA for tight spaces
// A plan's predicted lock errors as every view shows them: "12,560 ± 1,090" (mean over seeds,
// ± the spread of one run), or the mean alone for a single run.
QString errorsWithSpread(double mean, double sd, int runs);

} // namespace lockstep::ui
