#include "cli/AnalyzeCommand.h"

#include "analysis/FileAnalysis.h"
#include "cli/CliSupport.h"
#include "load/CsvDialect.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lockstep::cli {

namespace {

// More threads than this only add memory (each holds a share's row offsets): the scan is
// bound by memory bandwidth long before.
constexpr int kMaxThreads = 256;

QJsonObject parentJson(const FileAnalysis &a, const ParentCount &p)
{
    return QJsonObject{{QStringLiteral("id"), a.keys.keyLabel(p.key)},
                       {QStringLiteral("object"), a.keys.keyObject(p.key)},
                       {QStringLiteral("children"), p.children},
                       {QStringLiteral("share"), a.distribution.rows() ? double(p.children) / double(a.distribution.rows()) : 0.0}};
}

// Parses "Column" or "Column=Target" for --lock.
LockRule lockRuleFromOption(const QString &text)
{
    const auto eq = text.indexOf(QLatin1Char('='));
    LockRule rule;
    rule.column = (eq < 0 ? text : text.left(eq)).trimmed();
    rule.target = eq < 0 ? QString() : text.mid(eq + 1).trimmed();
    rule.reason = rule.target.compare(QLatin1String("sharing"), Qt::CaseInsensitive) == 0 ? LockReason::SharingGroup
                                                                                            : LockReason::Parent;
    if (rule.reason == LockReason::SharingGroup)
        rule.target.clear();
    rule.userDefined = true;
    rule.why = QStringLiteral("added with --lock");
    return rule;
}

} // namespace

QJsonObject analysisToJson(const FileAnalysis &a, int maxProblems)
{
    const LoadFile &f = a.file;
    QJsonArray columns;
    for (const auto &c : a.roles.columns) {
        QJsonObject col{{QStringLiteral("name"), c.name}, {QStringLiteral("role"), roleName(c.role)}};
        if (!c.targetObjects.isEmpty())
            col.insert(QStringLiteral("targets"), QJsonArray::fromStringList(c.targetObjects));
        if (c.externalIdCandidate)
            col.insert(QStringLiteral("externalIdCandidate"), true);
        columns.append(col);
    }
    QJsonArray rules;
    for (const auto &r : a.rules.rules())
        rules.append(QJsonObject{{QStringLiteral("column"), r.column},
                                 {QStringLiteral("target"), r.target},
                                 {QStringLiteral("reason"), lockReasonName(r.reason)},
                                 {QStringLiteral("why"), r.why}});
    QJsonArray skewed, top, histogram;
    for (const auto &p : a.distribution.skewedParents())
        skewed.append(parentJson(a, p));
    for (const auto &p : a.distribution.topParents())
        top.append(parentJson(a, p));
    for (const auto &b : a.distribution.histogram())
        histogram.append(QJsonObject{{QStringLiteral("low"), b.low},
                                     {QStringLiteral("high"), b.high},
                                     {QStringLiteral("parents"), b.parents},
                                     {QStringLiteral("rows"), b.rows}});
    QJsonObject counts;
    for (int code = 0; code < int(ProblemCode::Count_); ++code)
        if (f.problems().countOf(ProblemCode(code)))
            counts.insert(problemCodeKey(ProblemCode(code)), f.problems().countOf(ProblemCode(code)));
    QJsonArray items;
    for (const auto &p : f.problems().items()) {
        if (items.size() >= maxProblems)
            break;
        items.append(QJsonObject{{QStringLiteral("severity"), severityName(p.severity)},
                                 {QStringLiteral("code"), problemCodeKey(p.code)},
                                 {QStringLiteral("line"), p.line},
                                 {QStringLiteral("row"), p.row},
                                 {QStringLiteral("column"), p.column >= 0 && p.column < f.columnCount() ? f.header()[p.column] : QString()},
                                 {QStringLiteral("message"), p.message}});
    }
    QJsonObject errorCodes;
    for (auto it = a.errorCodes.cbegin(); it != a.errorCodes.cend(); ++it)
        errorCodes.insert(it.key(), it.value());

    QJsonObject json{
        {QStringLiteral("file"), f.path()},
        {QStringLiteral("kind"), fileKindName(a.roles.kind)},
        {QStringLiteral("bytes"), qint64(f.sizeBytes())},
        {QStringLiteral("rows"), f.rowCount()},
        {QStringLiteral("dialect"), QJsonObject{{QStringLiteral("delimiter"), f.dialect().delimiterName()},
                                                {QStringLiteral("lineEnding"), f.dialect().newline == '\r' ? QStringLiteral("CR")
                                                                                : f.dialect().crlf ? QStringLiteral("CRLF")
                                                                                                   : QStringLiteral("LF")},
                                                {QStringLiteral("bom"), f.dialect().bomLength > 0}}},
        {QStringLiteral("columns"), columns},
        {QStringLiteral("object"), a.roles.object},
        {QStringLiteral("objectReason"), a.roles.objectReason},
        {QStringLiteral("operation"), operationName(a.operation)},
        {QStringLiteral("operationReason"), a.operationReason},
        {QStringLiteral("lockRules"), rules},
        {QStringLiteral("parents"), a.distribution.parents()},
        {QStringLiteral("rowsWithoutParent"), a.distribution.rowsWithoutParent()},
        {QStringLiteral("childrenPerParent"), QJsonObject{{QStringLiteral("mean"), a.distribution.meanChildren()},
                                                          {QStringLiteral("median"), a.distribution.medianChildren()},
                                                          {QStringLiteral("p99"), a.distribution.p99Children()},
                                                          {QStringLiteral("max"), a.distribution.maxChildren()}}},
        {QStringLiteral("skewThreshold"), a.distribution.skewThreshold()},
        {QStringLiteral("skewedParents"), skewed},
        {QStringLiteral("rowsOnSkewedParents"), a.distribution.rowsOnSkewedParents()},
        {QStringLiteral("topParents"), top},
        {QStringLiteral("histogram"), histogram},
        {QStringLiteral("batches"), QJsonObject{{QStringLiteral("size"), a.spread.batchSize},
                                                {QStringLiteral("count"), a.spread.batches},
                                                {QStringLiteral("parentsInSeveralBatches"), a.spread.parentsInSeveralBatches},
                                                {QStringLiteral("rowsOnSharedParents"), a.spread.rowsOnSharedParents},
                                                {QStringLiteral("maxBatchesPerParent"), a.spread.maxBatchesPerParent}}},
        {QStringLiteral("badRows"), a.rowsWithProblems()},
        {QStringLiteral("problems"), QJsonObject{{QStringLiteral("errors"), f.problems().errors()},
                                                 {QStringLiteral("total"), f.problems().total()},
                                                 {QStringLiteral("counts"), counts},
                                                 {QStringLiteral("items"), items},
                                                 {QStringLiteral("omitted"), f.problems().total() - items.size()}}},
        {QStringLiteral("seconds"), a.seconds},
    };
    if (!errorCodes.isEmpty())
        json.insert(QStringLiteral("errorCodes"), errorCodes);
    return json;
}

void printAnalysis(const FileAnalysis &a)
{
    const LoadFile &f = a.file;
    const Distribution &d = a.distribution;
    auto &o = out();
    o << f.fileName() << ": " << grouped(f.rowCount()) << " rows, " << f.columnCount() << " columns, "
      << f.dialect().delimiterName() << "-delimited" << (f.dialect().crlf ? ", CRLF" : "")
      << (f.dialect().bomLength ? ", UTF-8 BOM" : "") << "\n";
    if (a.roles.kind != FileKind::LoadFile)
        o << "  a " << fileKindName(a.roles.kind) << "\n";
    o << "object:     " << (a.roles.object.isEmpty() ? QStringLiteral("unknown (give --object)") : a.roles.object);
    if (!a.roles.objectReason.isEmpty())
        o << "  (from " << a.roles.objectReason << ")";
    o << "\noperation:  " << operationName(a.operation) << "  (" << a.operationReason << ")\n";
    const QStringList rules = a.rules.describe();
    o << "locks:      " << (rules.isEmpty() ? QStringLiteral("nothing beyond each row's own record") : rules.join(QStringLiteral("; ")))
      << "\n";
    if (!a.errorCodes.isEmpty()) {
        o << "errors in the file:";
        for (auto it = a.errorCodes.cbegin(); it != a.errorCodes.cend(); ++it)
            o << " " << it.key() << " " << grouped(it.value()) << ";";
        o << "\n";
    }
    if (!rules.isEmpty()) {
        o << "parents:    " << grouped(d.parents()) << "; children per parent: median " << d.medianChildren() << ", mean "
          << QString::number(d.meanChildren(), 'f', 1) << ", p99 " << grouped(d.p99Children()) << ", max "
          << grouped(d.maxChildren());
        if (d.rowsWithoutParent())
            o << "; " << grouped(d.rowsWithoutParent()) << " rows lock no parent";
        o << "\n";
        o << "skew:       ";
        if (d.skewedParents().empty()) {
            o << "no parent has more than " << grouped(d.skewThreshold()) << " children\n";
        } else {
            o << d.skewedParents().size() << " parent" << (d.skewedParents().size() == 1 ? "" : "s") << " over "
              << grouped(d.skewThreshold()) << " children hold " << grouped(d.rowsOnSkewedParents()) << " rows ("
              << percent(double(d.rowsOnSkewedParents()) / double(std::max<qint64>(1, d.rows()))) << ")\n";
            int shown = 0;
            for (const auto &p : d.skewedParents()) {
                if (++shown > 10)
                    break;
                o << "  WARNING skewed " << a.keys.keyObject(p.key) << " " << a.keys.keyLabel(p.key) << ": "
                  << grouped(p.children) << " children — every batch holding them queues on one lock\n";
            }
        }
        o << "top parents:\n";
        int rank = 0;
        for (const auto &p : d.topParents()) {
            if (++rank > 10)
                break;
            o << QStringLiteral("  %1. %2 %3  %4 rows (%5)\n")
                     .arg(rank, 2)
                     .arg(a.keys.keyObject(p.key), a.keys.keyLabel(p.key))
                     .arg(grouped(p.children), 8)
                     .arg(percent(double(p.children) / double(std::max<qint64>(1, d.rows()))));
        }
        o << "batches:    " << grouped(a.spread.batches) << " of " << grouped(a.spread.batchSize) << " rows; "
          << grouped(a.spread.parentsInSeveralBatches) << " parents span more than one batch ("
          << grouped(a.spread.rowsOnSharedParents) << " rows) — parallel batches can collide on them\n";
    }
    const ProblemList &problems = f.problems();
    const qint64 bad = a.rowsWithProblems();
    if (problems.total() == 0) {
        o << "problems:   none\n";
    } else {
        o << "problems:   " << grouped(problems.errors()) << " error(s), " << grouped(bad) << " bad row(s):";
        for (int code = 0; code < int(ProblemCode::Count_); ++code)
            if (problems.countOf(ProblemCode(code)) && ProblemCode(code) != ProblemCode::Note)
                o << " " << problemCodeName(ProblemCode(code)) << " " << grouped(problems.countOf(ProblemCode(code))) << ";";
        o << "\n";
    }
    o.flush();
}

void printProblems(const FileAnalysis &a, int maxProblems)
{
    const LoadFile &f = a.file;
    const ProblemList &problems = f.problems();
    // Each problem on stderr in compiler style, so editors and terminals link file:line.
    qint64 shown = 0;
    for (const auto &p : problems.items()) {
        if (shown >= maxProblems)
            break;
        err() << p.toString(f.path()) << "\n";
        ++shown;
    }
    if (problems.total() > shown)
        err() << f.path() << ": " << grouped(problems.total() - shown) << " more problem(s) not listed"
              << (shown >= maxProblems ? " (raise --max-problems)" : "") << "\n";
    err().flush();
}

int AnalyzeCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nReads FILE once (in parallel), validates every row and its Salesforce Ids, works out which "
        "parent records each row locks, and reports children per parent, skewed parents, how the batch "
        "size spreads parents over batches, and every bad row (file:line on stderr).\n\n"
        "Exit status: 0 clean, 65 the file has bad rows or is malformed, 66 no such file, 64 bad usage, "
        "130 interrupted."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A CSV load file, or a Data Loader / Bulk API error or result file."));
    const QCommandLineOption object(QStringLiteral("object"), QStringLiteral("The sObject (default: inferred from the Ids, columns or file name)."), QStringLiteral("O"));
    const QCommandLineOption operation(QStringLiteral("operation"), QStringLiteral("insert, update, upsert or delete (default: inferred)."), QStringLiteral("OP"));
    const QCommandLineOption batchSize(QStringLiteral("batch-size"), QStringLiteral("Rows per batch (default 2000)."), QStringLiteral("B"), QStringLiteral("2000"));
    const QCommandLineOption skew(QStringLiteral("skew-threshold"), QStringLiteral("Children above which a parent is skewed (default 10000)."), QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption delimiter(QStringLiteral("delimiter"), QStringLiteral("comma, semicolon, tab or pipe (default: sniffed)."), QStringLiteral("D"));
    const QCommandLineOption lock(QStringLiteral("lock"), QStringLiteral("Also lock on COLUMN (repeatable); COLUMN=sharing for a sharing-group lock."), QStringLiteral("COLUMN[=Object]"));
    const QCommandLineOption noLock(QStringLiteral("no-lock"), QStringLiteral("Do not lock on COLUMN (repeatable)."), QStringLiteral("COLUMN"));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("Worker threads (default: one per core)."), QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption maxProblems(QStringLiteral("max-problems"), QStringLiteral("Problems to list (default 100)."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the analysis as JSON on stdout."));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress on stderr."));
    for (const auto &o : {object, operation, batchSize, skew, delimiter, lock, noLock, threads, maxProblems, json, quiet})
        parser.addOption(o);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("expected exactly one FILE"), name());

    AnalyzeOptions options;
    options.object = parser.value(object);
    if (parser.isSet(operation)) {
        options.operation = parseOperation(parser.value(operation));
        if (!options.operation)
            return usageError(QStringLiteral("unknown operation '%1' (insert, update, upsert, delete)").arg(parser.value(operation)), name());
    }
    bool ok = false;
    options.batchSize = parser.value(batchSize).toInt(&ok);
    if (!ok || options.batchSize < 1 || options.batchSize > 10000)
        return usageError(QStringLiteral("--batch-size must be between 1 and 10000 (the Bulk API's limit), got '%1'").arg(parser.value(batchSize)), name());
    options.distribution.skewThreshold = parser.value(skew).toLongLong(&ok);
    if (!ok || options.distribution.skewThreshold < 1)
        return usageError(QStringLiteral("--skew-threshold must be a positive number"), name());
    if (parser.isSet(delimiter)) {
        const auto d = parseDelimiter(parser.value(delimiter));
        if (!d)
            return usageError(QStringLiteral("unknown delimiter '%1'").arg(parser.value(delimiter)), name());
        CsvDialect dialect;
        dialect.delimiter = *d;
        options.dialect = dialect;
    }
    for (const auto &l : parser.values(lock))
        options.addRules.push_back(lockRuleFromOption(l));
    options.removeRules = parser.values(noLock);
    options.threads = parser.value(threads).toInt(&ok);
    if (!ok || options.threads < 0 || options.threads > kMaxThreads)
        return usageError(QStringLiteral("--threads must be from 1 to %1 (0: one per core), got '%2'").arg(kMaxThreads).arg(parser.value(threads)),
                          name());
    const int problemsToShow = parser.value(maxProblems).toInt(&ok);
    if (!ok || problemsToShow < 0)
        return usageError(QStringLiteral("--max-problems must be a number, 0 or more, got '%1'").arg(parser.value(maxProblems)), name());

    StderrProgress progress(!parser.isSet(quiet));
    auto analysis = analyzeFile(parser.positionalArguments().constFirst(), options, progress.progress());
    progress.finish();
    if (!analysis)
        return report(analysis.error());
    if (parser.isSet(json))
        writeJson(QJsonDocument(analysisToJson(**analysis, problemsToShow)));
    else
        printAnalysis(**analysis);
    printProblems(**analysis, problemsToShow);
    return (*analysis)->file.problems().errors() > 0 ? ExitCode::DataError : ExitCode::Ok;
}

} // namespace lockstep::cli
