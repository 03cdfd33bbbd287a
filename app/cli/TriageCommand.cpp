#include "cli/TriageCommand.h"

#include "cli/CliSupport.h"
#include "cli/JobExecution.h"
#include "cli/PlanCommand.h"
#include "triage/Triage.h"

#include <QFileInfo>

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
        "Exit status: 0 no row failed, 3 some rows failed (the report says which and why), 64 bad usage, 65 not a "
        "result file or malformed, 66 no such file."));
    parser.addPositionalArgument(QStringLiteral("FILES"), QStringLiteral("The job's result files."), QStringLiteral("FILES…"));
    parser.addOption({QStringLiteral("source"), QStringLiteral("The job's load file: Bulk API 1.0 results take their rows' parents from it by "
                                                               "row order, and every result row's record must be one of its rows."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("object"), QStringLiteral("The sObject the job loaded (default: from the columns)."), QStringLiteral("O")});
    parser.addOption({QStringLiteral("operation"), QStringLiteral("insert, update, upsert or delete (default: from the columns)."), QStringLiteral("OP")});
    parser.addOption({QStringLiteral("api"), QStringLiteral("The API for the recommended plan: rest, bulk1 or bulk2 (default bulk1)."), QStringLiteral("API")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout.")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr.")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    TriageOptions options;
    options.files = parser.positionalArguments();
    if (options.files.isEmpty())
        return usageError(QStringLiteral("expected the job's result files"), name());
    for (const QString &file : options.files)
        if (!QFileInfo(file).isFile())
            return report(Error{ErrorKind::NotFound, QStringLiteral("no such file"), file});
    options.source = parser.value(QStringLiteral("source"));
    if (!options.source.isEmpty() && !QFileInfo(options.source).isFile())
        return report(Error{ErrorKind::NotFound, QStringLiteral("no such file"), options.source});
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
    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    const auto triaged = triage(options, progress.progress());
    if (!triaged)
        return report(triaged.error());
    const TriageReport &t = *triaged;
    if (parser.isSet(QStringLiteral("json"))) {
        writeJson(QJsonDocument(t.toJson()));
    } else {
        auto &o = out();
        o << "triage: " << t.object << " " << operationName(t.operation) << ", " << t.files.size() << (t.files.size() == 1 ? " file" : " files")
          << "\n";
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
