#pragma once

#include "common/Format.h"

#include <QString>

namespace lockstep::ui {

using lockstep::grouped;
using lockstep::percent;
QString shortId(const QString &id);              // 0015Q0fUbJn5z2wQUA → 0015Q0…2wQUA for tight spaces

} // namespace lockstep::ui
