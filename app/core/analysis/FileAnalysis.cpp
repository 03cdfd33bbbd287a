#include "analysis/FileAnalysis.h"

#include "analysis/ErrorCodeCounter.h"
#include "load/RowSinkFanout.h"
#include "load/SalesforceId.h"

#include <QElapsedTimer>
#include <QRegularExpression>

namespace lockstep {

qint64 FileAnalysis::rowsWithProblems() const
{
    return file.rowsWithFlag(RowFlag::BadStructure | RowFlag::BadId | RowFlag::DuplicateId);
}

namespace {

QString anObject(const QStringList &objects)
{
    if (objects.isEmpty())
        return QStringLiteral("a record Id");
    QStringList parts;
    for (const auto &o : objects)
        parts << o;
    const QString joined = parts.join(QStringLiteral(" or "));
    const QChar first = joined.isEmpty() ? QChar() : joined.front().toUpper();
    const bool vowel = first == QLatin1Char('A') || first == QLatin1Char('E') || first == QLatin1Char('I') ||
                       first == QLatin1Char('O') || first == QLatin1Char('U');
    return (vowel ? QStringLiteral("an ") : QStringLiteral("a ")) + joined + QStringLiteral(" Id");
}

} // namespace

std::vector<IdColumnCheck> idChecksFor(const ColumnRoles &roles, Operation operation)
{
    std::vector<IdColumnCheck> checks;
    for (const auto &c : roles.columns) {
        if (c.role == ColumnRole::RecordId) {
            const bool required = operation == Operation::Update || operation == Operation::Delete;
            checks.push_back({c.index, c.keyPrefixes, required,
                              anObject(roles.object.isEmpty() ? QStringList() : QStringList{roles.object})});
        } else if (c.role == ColumnRole::Lookup) {
            checks.push_back({c.index, c.keyPrefixes, false, anObject(c.targetObjects)});
        } else if (c.role == ColumnRole::ResultId && c.index == roles.idColumn) {
            checks.push_back({c.index, c.keyPrefixes, false, QStringLiteral("a record Id")});
        }
    }
    return checks;
}

namespace {

// An object the user named that Lockstep does not know (not a standard object it has a key prefix
// for, not a custom API name), while the record Ids say which object they are: the lock rules of
// the wrong object would be used and nothing would look wrong, so it is an error that names the
// object the Ids belong to.
QString unknownObjectGiven(const ColumnRoles &roles, const QString &given)
{
    if (given.isEmpty() || roles.idColumn < 0 || !KeyPrefixes::prefixFor(given).isEmpty())
        return {};
    static const QRegularExpression custom(QStringLiteral("__(c|mdt|e|x|b|kav|share|history|feed)$"), QRegularExpression::CaseInsensitiveOption);
    if (custom.match(given).hasMatch())
        return {};
    const ColumnInfo &id = roles.columns[size_t(roles.idColumn)];
    if (id.keyPrefixes.size() != 1)
        return {};
    const QString actual = KeyPrefixes::objectFor(id.keyPrefixes.front().toStdString());
    if (actual.isEmpty() || actual.compare(given, Qt::CaseInsensitive) == 0)
        return {};
    return QStringLiteral("the object is given as '%1', which is not an object Lockstep knows, and the %2 column holds %3 Ids "
                          "(key prefix %4): give the object's API name (%3?) — the lock rules depend on it")
        .arg(given, id.name, actual, id.keyPrefixes.front());
}

} // namespace

Result<std::shared_ptr<FileAnalysis>> analyzeFile(const QString &path, const AnalyzeOptions &options,
                                                  const Progress &progress)
{
    QElapsedTimer timer;
    timer.start();
    if (options.batchSize <= 0)
        return fail(ErrorKind::Usage, QStringLiteral("the batch size must be at least 1 (got %1)").arg(options.batchSize));
    if (options.distribution.skewThreshold < 1)
        return fail(ErrorKind::Usage, QStringLiteral("the skew threshold must be at least 1"));

    LoadOptions loadOptions;
    loadOptions.dialect = options.dialect;
    loadOptions.problemLimit = options.problemLimit;
    auto opened = LoadFile::open(path, loadOptions);
    if (!opened)
        return std::unexpected(opened.error());

    auto analysis = std::make_shared<FileAnalysis>(FileAnalysis{.file = std::move(*opened)});
    LoadFile &file = analysis->file;
    analysis->roles = detectColumnRoles(file.header(), file.sample(), options.object, path);
    if (auto mapped = applyRoleChanges(analysis->roles, options.columnRoles); !mapped)
        return fail(ErrorKind::Usage, mapped.error().message, path, 1);
    const ColumnRoles &roles = analysis->roles;
    for (const auto &note : roles.notes)
        file.problems().add({Severity::Warning, ProblemCode::Note, 0, 0, -1, note});
    if (const QString wrong = unknownObjectGiven(roles, options.object); !wrong.isEmpty())
        file.problems().add({Severity::Error, ProblemCode::WrongIdPrefix, 1, 0, roles.idColumn, wrong});

    if (options.operation) {
        analysis->operation = *options.operation;
        analysis->operationReason = QStringLiteral("given");
    } else if (roles.idColumn >= 0 && file.columnCount() == 1) {
        analysis->operation = Operation::Delete;
        analysis->operationReason = QStringLiteral("the file has only an Id column");
    } else if (roles.idColumn >= 0 && roles.columns[size_t(roles.idColumn)].sampledNonEmpty > 0) {
        analysis->operation = Operation::Update;
        analysis->operationReason = QStringLiteral("the file has record Ids");
    } else {
        analysis->operation = Operation::Insert;
        analysis->operationReason = QStringLiteral("the file has no record Ids");
    }
    if (analysis->operation == Operation::Upsert && !options.externalIdField.isEmpty() &&
        options.externalIdField.compare(QLatin1String("Id"), Qt::CaseInsensitive) != 0) {
        const int column = file.columnIndex(options.externalIdField);
        if (column < 0)
            return fail(ErrorKind::Usage,
                        QStringLiteral("an upsert matches rows on a column of the file, and it has no column '%1' (columns: %2)")
                            .arg(options.externalIdField, file.header().join(QStringLiteral(", "))),
                        path, 1);
        analysis->externalIdField = file.header().at(column);
    }
    if (analysis->operation == Operation::Insert && roles.idColumn >= 0 &&
        roles.columns[size_t(roles.idColumn)].sampledNonEmpty > 0 && roles.kind == FileKind::LoadFile)
        file.problems().add({Severity::Warning, ProblemCode::Note, 1, 0, roles.idColumn,
                             QStringLiteral("an insert with record Ids: Salesforce rejects rows whose Id is set "
                                            "(INVALID_FIELD_FOR_INSERT_UPDATE); did you mean update or upsert?")});

    if (options.rules) {
        analysis->rules = *options.rules;
    } else {
        analysis->rules = LockRules::builtIn(roles.object, analysis->operation, roles);
    }
    for (const auto &column : options.removeRules)
        analysis->rules.removeColumn(column);
    for (const auto &rule : options.addRules) {
        if (file.columnIndex(rule.column) < 0 && rule.reason != LockReason::SharingGroup)
            return fail(ErrorKind::Usage,
                        QStringLiteral("cannot lock on column '%1': the file has no such column (columns: %2)")
                            .arg(rule.column, file.header().join(QStringLiteral(", "))),
                        path, 1);
        analysis->rules.addColumn(rule.column, rule.target, rule.reason, rule.why);
    }

    LockKeyCollector collector(file, roles, analysis->rules);
    RowSinkFanout fanout;
    fanout.add(&collector);
    std::optional<ErrorCodeCounter> errorCounter;
    if (roles.errorColumn >= 0) {
        errorCounter.emplace(roles.errorColumn);
        fanout.add(&*errorCounter);
    }

    ScanOptions scan;
    if (!options.planningOnly) {
        scan.idChecks = idChecksFor(roles, analysis->operation);
        if (roles.idColumn >= 0 && analysis->operation != Operation::Insert && roles.kind == FileKind::LoadFile)
            scan.duplicateIdColumn = roles.idColumn;
    }
    scan.sink = &fanout;
    scan.threads = options.threads;
    if (auto scanned = file.scan(scan, progress); !scanned)
        return std::unexpected(scanned.error());

    analysis->keys = collector.take();
    if (errorCounter) {
        analysis->errorCodes = errorCounter->counts();
        analysis->errorRowCodes = errorCounter->rowCodes();
        analysis->errorCodeNames = errorCounter->codes();
    }
    if (progress.cancelled())
        return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"), path);
    if (options.planningOnly) {
        analysis->seconds = double(timer.nsecsElapsed()) / 1e9;
        return analysis;
    }
    progress(0, 0, QStringLiteral("Computing the distribution"));
    analysis->distribution = Distribution::compute(analysis->keys, options.distribution);
    analysis->spread = BatchSpread::compute(analysis->keys, options.batchSize);
    analysis->seconds = double(timer.nsecsElapsed()) / 1e9;
    return analysis;
}

} // namespace lockstep
