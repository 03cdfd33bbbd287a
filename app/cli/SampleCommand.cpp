#include "cli/SampleCommand.h"

#include "cli/CliSupport.h"
#include "load/CsvDialect.h"
#include "sample/SampleGenerator.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace lockstep::cli {

int SampleCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nExample (calibration case A of the docs):\n"
        "  lockstep-cli sample --object Opportunity --rows 90000 --parents 5000 --skew zipf:0.6 --seed 1 -o opps.csv\n"
        "Add --house-account 12000 for one parent holding 12,000 rows."));
    const QCommandLineOption object(QStringLiteral("object"), QStringLiteral("Opportunity, Contact, Case, Task, Event, Account or a custom Child__c (default Opportunity)."), QStringLiteral("O"), QStringLiteral("Opportunity"));
    const QCommandLineOption operation(QStringLiteral("operation"), QStringLiteral("The load it is for: update (Id column), insert (none), upsert (External_Id__c), delete (Id only). Default update."), QStringLiteral("OP"), QStringLiteral("update"));
    const QCommandLineOption rows(QStringLiteral("rows"), QStringLiteral("Number of rows (default 90000)."), QStringLiteral("N"), QStringLiteral("90000"));
    const QCommandLineOption parents(QStringLiteral("parents"), QStringLiteral("Number of parent records (default 5000)."), QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption skew(QStringLiteral("skew"), QStringLiteral("uniform, zipf or zipf:S (default zipf:0.6)."), QStringLiteral("SPEC"), QStringLiteral("zipf:0.6"));
    const QCommandLineOption house(QStringLiteral("house-account"), QStringLiteral("One parent holds exactly N rows."), QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 1); the same seed writes the same file."), QStringLiteral("K"), QStringLiteral("1"));
    const QCommandLineOption sorted(QStringLiteral("sorted"), QStringLiteral("Group rows by parent (as 'sort by parent' would)."));
    const QCommandLineOption crlf(QStringLiteral("crlf"), QStringLiteral("End lines with CRLF."));
    const QCommandLineOption delimiter(QStringLiteral("delimiter"), QStringLiteral("comma (default), semicolon, tab or pipe."), QStringLiteral("D"), QStringLiteral("comma"));
    const QCommandLineOption master(QStringLiteral("master-field"), QStringLiteral("Custom objects: the master-detail column (default Master__c)."), QStringLiteral("FIELD"), QStringLiteral("Master__c"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Output file ('-' for stdout)."), QStringLiteral("FILE"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print a JSON summary on stdout (not with -o -)."));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr."));
    for (const auto &o : {object, operation, rows, parents, skew, house, seed, sorted, crlf, delimiter, master, output, json, quiet})
        parser.addOption(o);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (!parser.isSet(output))
        return usageError(QStringLiteral("-o FILE is required ('-' for stdout)"), name());
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()), name());

    SampleOptions options;
    options.object = parser.value(object);
    const auto op = parseOperation(parser.value(operation));
    if (!op)
        return usageError(QStringLiteral("unknown operation '%1'").arg(parser.value(operation)), name());
    options.operation = *op;
    bool ok1 = false, ok2 = false, ok3 = false, ok4 = false;
    options.rows = parser.value(rows).toLongLong(&ok1);
    options.parents = parser.value(parents).toLongLong(&ok2);
    options.houseAccountRows = parser.value(house).toLongLong(&ok3);
    options.seed = parser.value(seed).toULongLong(&ok4);
    if (!ok1 || !ok2 || !ok3 || !ok4)
        return usageError(QStringLiteral("--rows, --parents, --house-account and --seed take whole numbers"), name());
    auto skewSpec = SkewSpec::parse(parser.value(skew));
    if (!skewSpec)
        return usageError(skewSpec.error().message, name());
    options.skew = *skewSpec;
    options.sortedByParent = parser.isSet(sorted);
    options.crlf = parser.isSet(crlf);
    const auto d = parseDelimiter(parser.value(delimiter));
    if (!d)
        return usageError(QStringLiteral("unknown delimiter '%1'").arg(parser.value(delimiter)), name());
    options.delimiter = *d;
    options.masterField = parser.value(master);

    const QString path = parser.value(output);
    StderrProgress progress(!parser.isSet(quiet) && path != QLatin1String("-"));
    auto summary = writeSample(path, options, progress.progress());
    progress.finish();
    if (!summary)
        return summary.error().kind == ErrorKind::Usage ? usageError(summary.error().message, name()) : report(summary.error());
    if (path == QLatin1String("-"))
        return ExitCode::Ok;
    if (parser.isSet(json)) {
        writeJson(QJsonDocument(QJsonObject{{QStringLiteral("file"), path},
                                            {QStringLiteral("object"), options.object},
                                            {QStringLiteral("rows"), summary->rows},
                                            {QStringLiteral("parents"), summary->parents},
                                            {QStringLiteral("bytes"), summary->bytes},
                                            {QStringLiteral("houseParentId"), summary->houseParentId},
                                            {QStringLiteral("columns"), QJsonArray::fromStringList(summary->columns)},
                                            {QStringLiteral("seed"), QString::number(options.seed)}}));
    } else {
        err() << "wrote " << path << ": " << grouped(summary->rows) << " " << options.object << " rows over "
              << grouped(summary->parents) << " parents (" << grouped(summary->bytes) << " bytes)";
        if (!summary->houseParentId.isEmpty())
            err() << "; house account " << summary->houseParentId << " holds " << grouped(options.houseAccountRows) << " rows";
        err() << Qt::endl;
    }
    return ExitCode::Ok;
}

} // namespace lockstep::cli
