#include "cli/ExportPlanCommand.h"

#include "analysis/FileAnalysis.h"
#include "cli/CliSupport.h"
#include "cli/PlanCommand.h"
#include "plan/PlanExport.h"

#include <QCommandLineParser>
#include <QDir>
#include <QJsonDocument>

namespace lockstep::cli {

namespace {

void printExport(const FileAnalysis &a, const Plan &plan, const PlanExportResult &r)
{
    auto &o = out();
    o << a.file.fileName() << ": " << grouped(r.rows) << " rows, " << plan.object << " " << operationName(plan.operation) << " — "
      << plan.mitigation.label() << ", " << apiLabel(plan.api) << "\n";
    o << "wrote " << r.files.size() << (r.files.size() == 1 ? " file" : " files") << " to " << QDir::toNativeSeparators(r.directory) << ":\n";
    for (const ExportFile &f : r.files)
        o << "  " << f.name << "  " << grouped(f.rows) << " rows, " << (f.serial ? "Serial" : "Parallel") << " job"
          << (f.sharesParentsWith.isEmpty() ? QString() : QStringLiteral(" (shares a skewed parent with %1 other%2)")
                                                                .arg(f.sharesParentsWith.size())
                                                                .arg(f.sharesParentsWith.size() == 1 ? "" : "s"))
          << "\n";
    o << r.manifest.value(QStringLiteral("howToRun")).toString() << "\n";
    o << "commands for each file: " << QDir::toNativeSeparators(r.readmePath) << " (and " << PlanExport::manifestName()
      << " for programs)\n";
    o.flush();
}

} // namespace

int ExportPlanCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nWrites the rows of FILE in the send order of the plan of --mitigation (the plan 'lockstep-cli plan' "
        "shows, built from the same options), byte for byte as FILE has them (header, quoting, delimiter, line "
        "ends), every row exactly once:\n"
        "  - one queue (parallel as is, sort, serial, small[:N]): one file, its rows in plan order; the client's "
        "batch size cuts it as the plan does;\n"
        "  - lanes (and queue): up to W files (--jobs) that all start at once, each loaded as its own Bulk API 1.0 "
        "Serial job. A file holds whole serial lanes and whole shared-queue batches; no two files lock the same "
        "parent, except a skewed parent the plan itself loads on several lanes side by side (it says so).\n"
        "DIR gets plan.json (the manifest: files, the step they run in, rows, batches, and the sf / Data Loader "
        "command for each) and README.txt (the same for people). Files are written atomically, plan.json last; "
        "files an earlier export wrote into DIR and this one does not are removed.\n\n"
        "Exit status: 0 written, 64 bad usage, 65 malformed file (quoting that makes rows uncertain) or profile, "
        "66 no such file, 73 cannot write DIR, 130 interrupted."));
    addPlanningOptions(parser);
    parser.addOption({{QStringLiteral("m"), QStringLiteral("mitigation")},
                      QStringLiteral("The mitigation (required): parallel, serial, lanes, queue, auto; sort, small[:N], no-dup-rules."),
                      QStringLiteral("M")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("The folder to write (created when missing)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("jobs"), QStringLiteral("lanes, queue: at most N files run at once (default: the plan's concurrency W). "
                                                             "Fewer files, fewer jobs side by side, a longer load."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("external-id"), QStringLiteral("Upsert: the external id field the commands name (default Id)."), QStringLiteral("FIELD")});
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (!parser.isSet(QStringLiteral("mitigation")))
        return usageError(QStringLiteral("--mitigation is required (parallel, serial, lanes, queue, auto; sort, small[:N], no-dup-rules)"), name());
    if (!parser.isSet(QStringLiteral("output")) || parser.value(QStringLiteral("output")).isEmpty())
        return usageError(QStringLiteral("-o DIR is required: the folder the files go to"), name());
    const auto mitigation = Mitigation::parse(parser.value(QStringLiteral("mitigation")));
    if (!mitigation)
        return usageError(mitigation.error().message, name());
    PlanExportOptions options;
    options.directory = parser.value(QStringLiteral("output"));
    options.externalIdField = parser.value(QStringLiteral("external-id"));
    if (parser.isSet(QStringLiteral("jobs"))) {
        bool ok = false;
        options.maxFiles = parser.value(QStringLiteral("jobs")).toInt(&ok);
        if (!ok || options.maxFiles < 1 || options.maxFiles > 1000)
            return usageError(QStringLiteral("--jobs takes a whole number from 1 to 1,000, got '%1'").arg(parser.value(QStringLiteral("jobs"))), name());
    }

    // Rows are copied as they are: Id checks and the distribution would change nothing here.
    auto input = preparePlanning(parser, name(), code, true);
    if (!input)
        return code;
    const FileAnalysis &a = *input->analysis;

    StderrProgress progress(!parser.isSet(QStringLiteral("quiet")));
    const auto plan = buildPlan(*input, *mitigation, SeedPolicy{}, 0, progress.progress());
    if (!plan) {
        progress.finish();
        return report(plan.error());
    }
    auto exported = PlanExport::write(a.file, a.keys, *plan, options, progress.progress());
    progress.finish();
    if (!exported) {
        // Output that cannot be written is "cannot create" (73), as 'plan --out' says it.
        if (exported.error().kind == ErrorKind::Io) {
            report(exported.error());
            return ExitCode::CantCreate;
        }
        return exported.error().kind == ErrorKind::Usage ? usageError(exported.error().message, name()) : report(exported.error());
    }
    if (parser.isSet(QStringLiteral("json")))
        writeJson(QJsonDocument(exported->manifest));
    else
        printExport(a, *plan, *exported);
    return ExitCode::Ok;
}

} // namespace lockstep::cli
