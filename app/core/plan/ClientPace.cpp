#include "plan/ClientPace.h"

namespace lockstep {

std::vector<ClientPace> ClientPace::presets(const OrgProfile &profile)
{
    const double planPace = profile.bulkUploadGapSeconds;
    return {
        {QStringLiteral("lockstep"), QStringLiteral("Lockstep (the plan's pace, %1 s)").arg(planPace), planPace},
        {QStringLiteral("dataloader"), QStringLiteral("Data Loader (one batch after another, %1 s)").arg(planPace), planPace},
        {QStringLiteral("sf"), QStringLiteral("Salesforce CLI (batches at once, 0.05 s)"), 0.05},
        {QStringLiteral("jsforce"), QStringLiteral("jsforce script (batches at once, 0.05 s)"), 0.05},
    };
}

Result<ClientPace> ClientPace::parse(const QString &text, const OrgProfile &profile)
{
    const QString t = text.trimmed().toLower();
    for (const auto &p : presets(profile))
        if (p.key == t)
            return p;
    bool ok = false;
    QString number = t;
    if (number.endsWith(QLatin1Char('s')))
        number.chop(1);
    const double seconds = number.toDouble(&ok);
    if (!ok || !(seconds >= 0) || seconds > 60)
        return fail(ErrorKind::Usage, QStringLiteral("unknown client '%1': lockstep, dataloader, sf, jsforce, or the seconds "
                                                     "between batch uploads (0 to 60)")
                                          .arg(text));
    return ClientPace{QString(), QStringLiteral("%1 s between batch uploads").arg(seconds), seconds};
}

} // namespace lockstep
