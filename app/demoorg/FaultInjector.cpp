#include "demoorg/FaultInjector.h"

#include "common/Hash.h"

#include <QStringList>

namespace lockstep::demoorg {

Result<FaultSpec> FaultSpec::parse(const QString &text)
{
    FaultSpec s;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString kind = part.section(QLatin1Char('='), 0, 0).trimmed().toLower();
        const QString value = part.section(QLatin1Char('='), 1).trimmed();
        bool ok = false;
        const double rate = value.section(QLatin1Char(':'), 0, 0).toDouble(&ok);
        if (!ok || rate < 0 || rate > 1)
            return fail(ErrorKind::Usage, QStringLiteral("--faults: '%1' needs a rate between 0 and 1 (e.g. 500=0.02)").arg(part));
        if (kind == QLatin1String("500"))
            s.serverError = rate;
        else if (kind == QLatin1String("503"))
            s.unavailable = rate;
        else if (kind == QLatin1String("limit"))
            s.limit = rate;
        else if (kind == QLatin1String("expire"))
            s.expire = rate;
        else if (kind == QLatin1String("drop"))
            s.drop = rate;
        else if (kind == QLatin1String("slow")) {
            s.slow = rate;
            if (value.contains(QLatin1Char(':'))) {
                const int ms = value.section(QLatin1Char(':'), 1).toInt(&ok);
                if (!ok || ms < 0)
                    return fail(ErrorKind::Usage, QStringLiteral("--faults: slow=RATE:MS needs milliseconds, got '%1'").arg(part));
                s.slowBy = std::chrono::milliseconds(ms);
            }
        } else {
            return fail(ErrorKind::Usage, QStringLiteral("--faults: unknown fault '%1' (500, 503, limit, expire, drop, slow)").arg(kind));
        }
    }
    if (s.serverError + s.unavailable + s.limit + s.expire > 1 || s.drop + s.slow > 1)
        return fail(ErrorKind::Usage, QStringLiteral("--faults: the rates before and after the work must each add up to at most 1"));
    return s;
}

double FaultInjector::draw(std::uint64_t sequence, std::uint64_t stream) const
{
    const std::uint64_t x = mix64(m_seed * 0x9E3779B97F4A7C15ULL ^ mix64(sequence * 2 + stream));
    return double(x >> 11) * 0x1.0p-53;
}

FaultInjector::Before FaultInjector::before(std::uint64_t sequence) const
{
    double r = draw(sequence, 0);
    for (const auto &[rate, fault] : {std::pair{m_spec.serverError, Before::ServerError}, std::pair{m_spec.unavailable, Before::Unavailable},
                                      std::pair{m_spec.limit, Before::Limit}, std::pair{m_spec.expire, Before::Expire}}) {
        if (r < rate)
            return fault;
        r -= rate;
    }
    return Before::None;
}

FaultInjector::After FaultInjector::after(std::uint64_t sequence) const
{
    double r = draw(sequence, 1);
    if (r < m_spec.drop)
        return After::Drop;
    r -= m_spec.drop;
    if (r < m_spec.slow)
        return After::Slow;
    return After::None;
}

} // namespace lockstep::demoorg
