#include "UiFormat.h"

#include <cmath>

namespace lockstep::ui {

QString shortId(const QString &id)
{
    return id.size() <= 12 ? id : id.left(6) + QStringLiteral("…") + id.right(5);
}

QString errorsWithSpread(double mean, double sd, int runs)
{
    const QString m = grouped(qint64(std::llround(mean)));
    return runs > 1 && sd >= 0.5 ? m + QStringLiteral(" ± ") + grouped(qint64(std::llround(sd))) : m;
}

} // namespace lockstep::ui
