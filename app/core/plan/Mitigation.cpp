#include "plan/Mitigation.h"

#include <QRegularExpression>
#include <QStringList>

namespace lockstep {

QString schedulingName(Scheduling scheduling)
{
    switch (scheduling) {
    case Scheduling::Parallel: return QStringLiteral("parallel");
    case Scheduling::Serial: return QStringLiteral("serial");
    case Scheduling::Lanes: return QStringLiteral("lanes");
    case Scheduling::ParentQueue: return QStringLiteral("queue");
    case Scheduling::Auto: return QStringLiteral("auto");
    }
    return {};
}

namespace {
const char *const kChoices = "parallel, serial, lanes, queue or auto, optionally with sort, small[:N] and no-dup-rules, "
                             "joined with '+' (e.g. sort+small:10)";
} // namespace

Result<Mitigation> Mitigation::parse(const QString &text)
{
    Mitigation m;
    bool schedulingGiven = false;
    static const QRegularExpression separators(QStringLiteral("[+,]"));
    const QStringList tokens = text.split(separators, Qt::SkipEmptyParts);
    if (tokens.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("no mitigation given: use %1").arg(QLatin1String(kChoices)));
    for (const QString &raw : tokens) {
        const QString t = raw.trimmed().toLower();
        std::optional<Scheduling> scheduling;
        if (t == QLatin1String("parallel") || t == QLatin1String("none") || t == QLatin1String("as-is"))
            scheduling = Scheduling::Parallel;
        else if (t == QLatin1String("serial"))
            scheduling = Scheduling::Serial;
        else if (t == QLatin1String("lanes") || t == QLatin1String("parent-aware-lanes"))
            scheduling = Scheduling::Lanes;
        else if (t == QLatin1String("queue") || t == QLatin1String("per-parent-queue") || t == QLatin1String("serializer"))
            scheduling = Scheduling::ParentQueue;
        else if (t == QLatin1String("auto"))
            scheduling = Scheduling::Auto;
        if (scheduling) {
            if (schedulingGiven && m.scheduling != *scheduling)
                return fail(ErrorKind::Usage, QStringLiteral("mitigation '%1' names two schedulings (%2 and %3): pick one of "
                                                             "parallel, serial, lanes, queue, auto")
                                                  .arg(text, schedulingName(m.scheduling), schedulingName(*scheduling)));
            m.scheduling = *scheduling;
            schedulingGiven = true;
        } else if (t == QLatin1String("sort") || t == QLatin1String("sort-by-parent")) {
            m.sortByParent = true;
        } else if (t == QLatin1String("no-dup-rules") || t == QLatin1String("dup-rules-off") ||
                   t == QLatin1String("deactivate-duplicate-rules")) {
            m.duplicateRulesOff = true;
        } else if (t == QLatin1String("small") || t.startsWith(QLatin1String("small:"))) {
            m.smallBatchRows = kDefaultSmallBatchRows;
            if (t.startsWith(QLatin1String("small:"))) {
                bool ok = false;
                m.smallBatchRows = t.mid(6).toInt(&ok);
                if (!ok || m.smallBatchRows < 1)
                    return fail(ErrorKind::Usage, QStringLiteral("small batches need a size of at least 1 row ('%1')").arg(raw));
            }
        } else {
            return fail(ErrorKind::Usage, QStringLiteral("unknown mitigation '%1': use %2").arg(raw.trimmed(), QLatin1String(kChoices)));
        }
    }
    if (m.scheduling == Scheduling::Auto && (m.sortByParent || m.smallBatchRows || m.duplicateRulesOff))
        return fail(ErrorKind::Usage, QStringLiteral("auto chooses the modifiers itself; give 'auto' alone"));
    return m;
}

QString Mitigation::key() const
{
    QStringList parts;
    if (scheduling != Scheduling::Parallel || (!sortByParent && !smallBatchRows && !duplicateRulesOff))
        parts << schedulingName(scheduling);
    if (sortByParent)
        parts << QStringLiteral("sort");
    if (smallBatchRows)
        parts << QStringLiteral("small:%1").arg(smallBatchRows);
    if (duplicateRulesOff)
        parts << QStringLiteral("no-dup-rules");
    return parts.join(QLatin1Char('+'));
}

QString Mitigation::label() const
{
    QStringList parts;
    switch (scheduling) {
    case Scheduling::Parallel:
        if (!sortByParent && !smallBatchRows && !duplicateRulesOff)
            parts << QStringLiteral("Parallel (as is)");
        break;
    case Scheduling::Serial: parts << QStringLiteral("Serial"); break;
    case Scheduling::Lanes: parts << QStringLiteral("Parent-aware lanes"); break;
    case Scheduling::ParentQueue: parts << QStringLiteral("Per-parent queue (REST)"); break;
    case Scheduling::Auto: parts << QStringLiteral("Auto"); break;
    }
    if (sortByParent)
        parts << QStringLiteral("Sort by parent");
    if (smallBatchRows)
        parts << QStringLiteral("Small batches (%1 rows)").arg(smallBatchRows);
    if (duplicateRulesOff)
        parts << QStringLiteral("Duplicate rules off");
    return parts.join(QStringLiteral(" + "));
}

std::vector<Mitigation> Mitigation::comparisonSet(bool withDuplicateRules)
{
    std::vector<Mitigation> set;
    set.push_back({});
    set.push_back({Scheduling::Serial});
    set.push_back({Scheduling::Parallel, true});
    set.push_back({Scheduling::Parallel, false, kDefaultSmallBatchRows});
    set.push_back({Scheduling::Parallel, true, kDefaultSmallBatchRows});
    if (withDuplicateRules)
        set.push_back({Scheduling::Parallel, false, 0, true});
    set.push_back({Scheduling::ParentQueue});
    set.push_back({Scheduling::Lanes});
    return set;
}

} // namespace lockstep
