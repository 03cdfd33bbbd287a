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

} // namespace lockstep
