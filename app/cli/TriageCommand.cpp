#include "cli/TriageCommand.h"

#include "cli/CliSupport.h"
#include "cli/JobExecution.h"
#include "cli/OrgConnection.h"
#include "cli/PlanCommand.h"
#include "triage/BulkJobFolder.h"
#include "triage/Triage.h"

#include <QFileInfo>
#include <QTemporaryDir>

namespace lockstep::cli {

int TriageCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nReads the result files of one job — Data Loader's error file (and its success file), Bulk API 2.0's "
        "failedResults, successfulResults and unprocessedrecords (what 'sf data bulk results' saves), Bulk API 1.0 "
        "batch results — recognised by their columns. Says how many rows succeeded and failed, the failures by "
        "status code, the parents the UNABLE_TO_LOCK_ROW rows waited on (most locked rows first) with their "
        "children in these files and the skew, and the plan Lockstep recommends for the locked rows — parent-aware "
        "lanes — predicted beside the same rows in parallel.\n\n"
        "A Bulk job can also be read from its org (--org ALIAS --job ID; --save DIR keeps what was downloaded) or from "
        "a folder of its documents (FILES is then that folder): Bulk API 1.0 job.xml, batches.xml and each batch's "
        "<batchId>-request.csv|.xml and <batchId>-result.csv|.xml; Bulk API 2.0 job.json and its successfulResults.csv, "
        "failedResults.csv and unprocessedrecords.csv. A Bulk API 1.0 job's failures are then grouped by batch and each "
        "lock error explained from the batches' timings and contents: which other batch carried the parent the row's "
        "transaction waited on while its batch ran.\n\n"
        "Exit status: 0 no row failed, 3 some rows failed (the report says which and why), 64 bad usage, 65 not a "
        "result file or malformed, 66 no such file."));
    parser.addPositionalArgument(QStringLiteral("FILES"), QStringLiteral("The job's result files."), QStringLiteral("FILES…"));
    parser.addOption({QStringLiteral("source"), QStringLiteral("The job's load file: Bulk API 1.0 results take their rows' parents from it by "
                                                               "row order, and every result row's record must be one of its rows."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("object"), QStringLiteral("The sObject the job loaded (default: from the columns)."), QStringLiteral("O")});
    parser.addOption({QStringLiteral("operation"), QStringLiteral("insert, update, upsert or delete (default: from the columns)."), QStringLiteral("OP")});
    parser.addOption({QStringLiteral("api"), QStringLiteral("The API for the recommended plan: rest, bulk1 or bulk2 (default bulk1)."), QStringLiteral("API")});
    parser.addOption({QStringLiteral("org"), QStringLiteral("The org of the job (an alias, or an instance URL; see 'lockstep-cli org')."), QStringLiteral("ALIAS")});
    parser.addOption({QStringLiteral("job"), QStringLiteral("The Bulk job's id on that org (750…)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("save"), QStringLiteral("Keep the job's downloaded documents in this folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("limit"), QStringLiteral("Explanations printed (default 10; 0: all; --json has all)."), QStringLiteral("N"),
                      QStringLiteral("10")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout.")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr.")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    TriageOptions options;
    options.files = parser.positionalArguments();
    bool ok = false;
    const qint64 limit = parser.value(QStringLiteral("limit")).toLongLong(&ok);
    if (!ok || limit < 0)
        return usageError(QStringLiteral("--limit takes a number from 0"), name());
    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    // A Bulk job, from its org or from a folder of its documents.
    std::optional<BulkJobFolder> folder;
    QTemporaryDir work;
    if (parser.isSet(QStringLiteral("job")) || parser.isSet(QStringLiteral("org"))) {
        if (!parser.isSet(QStringLiteral("job")) || !parser.isSet(QStringLiteral("org")) || !options.files.isEmpty())
            return usageError(QStringLiteral("--org ALIAS --job ID together, and no FILES with them"), name());
        auto org = connectOrg(parser.value(QStringLiteral("org")), 1, {}, {}, OrgProfile{}, name(), code);
        if (!org)
            return code;
        auto client = org->client();
        if (!client)
            return report(client.error());
        const QString dir = parser.isSet(QStringLiteral("save")) ? parser.value(QStringLiteral("save")) : work.filePath(QStringLiteral("job"));
        auto downloaded = downloadBulkJob(*client, parser.value(QStringLiteral("job")), dir, progress.progress());
        if (!downloaded)
            return report(downloaded.error());
        folder = std::move(*downloaded);
    } else if (options.files.size() == 1 && QFileInfo(options.files.first()).isDir()) {
        if (!BulkJobFolder::isOne(options.files.first()))
            return report(Error{ErrorKind::NotFound, QStringLiteral("a folder, but not a Bulk job's documents (no job.xml or job.json)"), options.files.first()});
        auto read = BulkJobFolder::read(options.files.first());
        if (!read)
            return report(read.error());
        folder = std::move(*read);
    }
    if (folder) {
        if (parser.isSet(QStringLiteral("source")))
            return usageError(QStringLiteral("a Bulk job's rows come with it: no --source"), name());
        if (!work.isValid())
            return report(Error{ErrorKind::Io, QStringLiteral("cannot make a temporary folder: %1").arg(work.errorString())});
        auto prepared = triageOptionsFor(*folder, options, work.path());
        if (!prepared)
            return report(prepared.error());
        options = std::move(*prepared);
    }
    if (options.files.isEmpty())
        return usageError(QStringLiteral("expected the job's result files, a folder of its documents, or --org ALIAS --job ID"), name());
    for (const QString &file : options.files)
        if (!QFileInfo(file).isFile())
            return report(Error{ErrorKind::NotFound, QStringLiteral("no such file"), file});
    if (!folder)
        options.source = parser.value(QStringLiteral("source"));
    if (!options.source.isEmpty() && !QFileInfo(options.source).isFile())
        return report(Error{ErrorKind::NotFound, QStringLiteral("no such file"), options.source});
    if (parser.isSet(QStringLiteral("object")))
        options.object = parser.value(QStringLiteral("object"));
    if (parser.isSet(QStringLiteral("operation"))) {
        options.operation = parseOperation(parser.value(QStringLiteral("operation")));
        if (!options.operation)
            return usageError(QStringLiteral("unknown operation '%1'").arg(parser.value(QStringLiteral("operation"))), name());
    }
    if (parser.isSet(QStringLiteral("api"))) {
        options.api = parseApi(parser.value(QStringLiteral("api")));
        if (!options.api)
            return usageError(QStringLiteral("unknown API '%1' (rest, bulk1, bulk2)").arg(parser.value(QStringLiteral("api"))), name());
    }
    const auto triaged = triage(options, progress.progress());
    if (!triaged)
        return report(triaged.error());
    const TriageReport &t = *triaged;
    if (parser.isSet(QStringLiteral("json"))) {
        writeJson(QJsonDocument(t.toJson()));
    } else {
        auto &o = out();
        o << "triage: " << t.object << " " << operationName(t.operation);
        if (!t.jobId.isEmpty())
            o << ", Bulk job " << t.jobId;
        o << ", " << t.files.size() << (t.files.size() == 1 ? " file" : " files") << "\n";
        for (const TriageFile &f : t.files)
            o << "  " << QFileInfo(f.path).fileName() << ": " << (f.rows == 0 ? QStringLiteral("empty") : f.kind == FileKind::LoadFile ? QStringLiteral("unprocessed records") : fileKindName(f.kind))
              << ", " << grouped(f.rows) << " rows, " << grouped(f.failed) << " failed\n";
        o << "rows:      " << grouped(t.succeeded + t.failed) << ": " << grouped(t.succeeded) << " succeeded, " << grouped(t.failed) << " failed\n";
        if (!t.byCode.empty())
            o << "errors:    " << errorsText(t.byCode) << "\n";
        if (t.lockedRows > 0) {
            o << "locked:    " << grouped(t.lockedRows) << " rows waited on " << grouped(t.lockedParentCount) << " parents, "
              << grouped(t.skewedLockedParents) << " of them skewed (more than " << grouped(t.skewThreshold) << " children)\n";
            if (t.lockedRowsWithoutParent > 0)
                o << "           " << grouped(t.lockedRowsWithoutParent) << " of them in files without data columns (Bulk API 1.0 results): parents not known\n";
            for (const LockedParent &p : t.lockedParents)
                o << QStringLiteral("  %1 %2 %3 children %4 locked rows\n")
                         .arg(p.object, -10)
                         .arg(p.label, -20)
                         .arg(grouped(p.children), 10)
                         .arg(grouped(p.lockedRows), 10);
        }
        if (!t.byBatch.empty()) {
            // The batches with the most failures first.
            auto batches = t.byBatch;
            std::stable_sort(batches.begin(), batches.end(), [](const auto &a, const auto &b) { return a.failed > b.failed; });
            qint64 failing = 0;
            for (const auto &b : batches)
                failing += b.failed > 0;
            o << "batches:   " << grouped(qint64(batches.size())) << ", " << grouped(failing) << " with failures\n";
            for (size_t i = 0; i < batches.size() && i < 10 && batches[i].failed > 0; ++i)
                o << QStringLiteral("  %1 rows %2-%3 %4 failed %5 lock errors\n")
                         .arg(batches[i].batch.id, -20)
                         .arg(grouped(batches[i].batch.firstRow + 1))
                         .arg(grouped(batches[i].batch.firstRow + batches[i].batch.rows), -10)
                         .arg(grouped(batches[i].failed), 8)
                         .arg(grouped(batches[i].lockErrors), 8);
        }
        if (!t.explanations.empty()) {
            std::map<LockExplanation::Verdict, qint64> verdicts;
            for (const LockExplanation &e : t.explanations)
                ++verdicts[e.verdict];
            o << "explained: " << grouped(qint64(t.explanations.size())) << " lock errors: " << grouped(verdicts[LockExplanation::Verdict::Held])
              << " held by another batch of the job, " << grouped(verdicts[LockExplanation::Verdict::Outside]) << " held outside it, "
              << grouped(verdicts[LockExplanation::Verdict::NoTimings]) << " without batch times\n";
            const std::vector<ExplanationRun> runs = explanationRuns(t.explanations);
            const qint64 shown = limit == 0 ? qint64(runs.size()) : std::min<qint64>(limit, qint64(runs.size()));
            for (qint64 i = 0; i < shown; ++i)
                o << "  " << runs[size_t(i)].text() << "\n";
            if (shown < qint64(runs.size()))
                o << "  … " << grouped(qint64(runs.size()) - shown) << " more lines: --limit 0 for all, or --json\n";
        }
        for (const QString &note : t.notes)
            o << "note:      " << note << "\n";
        if (t.recommended) {
            o << "recommended: the " << grouped(t.recommendedRows) << " locked rows again as " << t.recommended->mitigation.label() << " over "
              << apiLabel(t.recommended->api) << ": predicted " << grouped(qRound64(t.recommended->lockErrorRows)) << " lock errors in "
              << duration(t.recommended->durationSeconds);
            if (t.parallel)
                o << " (the same rows in parallel: " << grouped(qRound64(t.parallel->lockErrorRows)) << " lock errors in "
                  << duration(t.parallel->durationSeconds) << ")";
            o << "\n";
        }
        o.flush();
    }
    return t.failed > 0 ? kRowsFailed : ExitCode::Ok;
}

} // namespace lockstep::cli
