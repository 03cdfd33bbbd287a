#include "common/Format.h"

namespace lockstep {

QString grouped(qint64 n)
{
    QString digits = QString::number(n < 0 ? -n : n);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return n < 0 ? QLatin1Char('-') + digits : digits;
}

QString percent(double share, int decimals)
{
    return QString::number(share * 100.0, 'f', decimals) + QLatin1Char('%');
}

QString durationText(double seconds)
{
    if (seconds >= 5400)
        return QStringLiteral("%1 h").arg(seconds / 3600, 0, 'f', 1);
    if (seconds >= 120)
        return QStringLiteral("%1 min").arg(seconds / 60, 0, 'f', 1);
    return QStringLiteral("%1 s").arg(seconds, 0, 'f', seconds < 10 ? 1 : 0);
}

} // namespace lockstep
