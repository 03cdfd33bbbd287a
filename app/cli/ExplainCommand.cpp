#include "cli/ExplainCommand.h"

#include "cli/CliSupport.h"
#include "cli/JobCommands.h"
#include "job/LockExplainer.h"

#include <QJsonArray>
#include <QJsonObject>

namespace lockstep::cli {

namespace {

// Without ROW arguments a job's explanation can run to thousands of lines: the summary, then the
// first rows (all of them with --limit 0, or in --json).
constexpr qint64 kDefaultLimit = 20;

} // namespace

int ExplainCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        summary() +
        QStringLiteral(".\n\nFor each row of JOB that failed with UNABLE_TO_LOCK_ROW (or the ROWs given, 1-based as in the file: 5 7 "
                       "10-20): the parent it waited on (the one the org's message names), the batch of the same job that carried "
                       "that parent in a window overlapping the row's batch, and both windows — the org's own processing times where "
                       "it reports them (Bulk API 1.0), else when the request went out and was answered. Where no other batch had "
                       "the parent then, the lock was held outside the job; where the row's batch has no recorded times, or the rows "
                       "went in one Bulk API 2.0 job whose internal batches Salesforce does not time, it says so. Rows a retry "
                       "carried are explained from the retry's run.\n\n"
                       "Exit status: 0 explained, 64 bad usage, 66 no such job, 74 store."));
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("The job (see 'lockstep-cli jobs')."));
    parser.addPositionalArgument(QStringLiteral("ROW"), QStringLiteral("Rows of the file to explain (default: every lock error)."), QStringLiteral("[ROW…]"));
    parser.addOption({QStringLiteral("limit"), QStringLiteral("Lines printed without ROWs (default %1; 0: all); a line is one row, or a run of rows one transaction failed.").arg(kDefaultLimit), QStringLiteral("N"),
                      QString::number(kDefaultLimit)});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON on stdout: every row, counts by verdict, the batches that held most.")});
    addStoreOption(parser);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(QStringLiteral("which job? (see 'lockstep-cli jobs')"), name());
    bool ok = false;
    const qint64 id = positional.first().toLongLong(&ok);
    if (!ok || id < 1)
        return usageError(QStringLiteral("'%1' is not a job number").arg(positional.first()), name());
    std::vector<qint64> rows;
    for (qsizetype i = 1; i < positional.size(); ++i) {
        const auto some = parseRowList(positional[i]);
        if (!some)
            return usageError(QStringLiteral("'%1' is not a row list (rows of the file from 1: 5 7 10-20)").arg(positional[i]), name());
        rows.insert(rows.end(), some->begin(), some->end());
        if (rows.size() > 10000000)
            return usageError(QStringLiteral("at most 10,000,000 rows"), name());
    }
    const qint64 limit = parser.value(QStringLiteral("limit")).toLongLong(&ok);
    if (!ok || limit < 0)
        return usageError(QStringLiteral("--limit takes a number from 0"), name());

    auto store = JobStore::open(storePath(parser));
    if (!store)
        return report(store.error());
    auto explained = explainJob(**store, id, rows);
    if (!explained)
        return report(explained.error());
    const JobExplanation &e = *explained;
    if (parser.isSet(QStringLiteral("json"))) {
        writeJson(QJsonDocument(e.toJson()));
        return ExitCode::Ok;
    }
    const QJsonObject counts = e.toJson();
    const QJsonObject verdicts = counts.value(QStringLiteral("verdicts")).toObject();
    const auto n = [&](const char *v) { return grouped(qint64(verdicts.value(QLatin1String(v)).toDouble())); };
    out() << "job " << id << ": " << grouped(e.lockErrors) << " lock error" << (e.lockErrors == 1 ? "" : "s");
    if (!rows.empty())
        out() << ", " << grouped(qint64(e.rows.size())) << " of them among the rows asked";
    out() << "\n  held by another batch of the job: " << n("held") << "\n  within one Bulk API 2.0 job (untimed): " << n("sameIngestJob")
          << "\n  held outside the job: " << n("outside") << "\n  no recorded times: " << n("noTimings") << "\n";
    const QJsonArray top = counts.value(QStringLiteral("topHolders")).toArray();
    if (!top.isEmpty()) {
        out() << "batches that held the most:";
        for (qsizetype i = 0; i < top.size() && i < 5; ++i) {
            const QJsonObject t = top[i].toObject();
            out() << (i ? ", " : " ") << "batch " << t.value(QStringLiteral("batch")).toInt() << " ("
                  << grouped(qint64(t.value(QStringLiteral("rowsWaiting")).toDouble())) << " rows waited)";
        }
        out() << "\n";
    }
    // One line per run of rows one transaction failed.
    const std::vector<ExplanationRun> runs = explanationRuns(e.rows);
    const qint64 shown = rows.empty() && limit > 0 ? std::min<qint64>(limit, qint64(runs.size())) : qint64(runs.size());
    for (qint64 i = 0; i < shown; ++i)
        out() << runs[size_t(i)].text() << "\n";
    if (shown < qint64(runs.size()))
        out() << "… " << grouped(qint64(runs.size()) - shown) << " more lines: --limit 0 for all, --json, or name the rows\n";
    out().flush();
    return ExitCode::Ok;
}

} // namespace lockstep::cli
