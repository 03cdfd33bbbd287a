#include "triage/Triage.h"

#include "analysis/ErrorCodeCounter.h"
#include "job/RetryPolicy.h"
#include "plan/Mitigation.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace lockstep {

namespace {

const QString kLockCode = QStringLiteral("UNABLE_TO_LOCK_ROW");

bool failureKind(FileKind kind)
{
    return kind == FileKind::DataLoaderError || kind == FileKind::BulkV2Failed || kind == FileKind::BulkV1Result;
}

// Bulk API 2.0's unprocessedrecords file has the load's own columns only: known by its name
// (as the API and `sf data bulk results` save it).
bool unprocessedFile(const QString &path)
{
    return QFileInfo(path).fileName().contains(QLatin1String("unprocessed"), Qt::CaseInsensitive);
}

// Each row's error code (empty: none), from the analysis's per-row codes.
std::vector<QString> rowCodesOf(const FileAnalysis &a)
{
    std::vector<QString> codes(size_t(a.file.rowCount()));
    if (a.roles.errorColumn < 0)
        return codes;
    if (qint64(a.errorRowCodes.size()) == a.file.rowCount()) {
        for (size_t r = 0; r < codes.size(); ++r)
            if (a.errorRowCodes[r] != ErrorCodeCounter::kNoError)
                codes[r] = a.errorCodeNames.value(a.errorRowCodes[r]);
        return codes;
    }
    // Rows the scan set aside (malformed) leave the per-row codes short: read the cells.
    for (qint64 r = 0; r < a.file.rowCount(); ++r)
        a.file.forEachField(r, [&](int column, std::string_view value) {
            if (column == a.roles.errorColumn && !value.empty())
                codes[size_t(r)] = ErrorCodeCounter::codeOf(value);
        });
    return codes;
}

// Failures per batch, and each lock error explained from the batches' windows and the parents
// each carried (LockExplainer), for Bulk API 1.0 results whose rows match the source by order.
Result<void> explainBatches(const TriageOptions &options, const FileAnalysis &source, const FileAnalysis &results,
                            const std::vector<QString> &codes, TriageReport &report)
{
    const qint64 rows = source.file.rowCount();
    std::vector<int> batchOf(size_t(rows), -1);
    LockExplainer explainer;
    for (size_t i = 0; i < options.batches.size(); ++i) {
        const TriageBatch &b = options.batches[i];
        if (b.firstRow < 0 || b.rows < 0 || b.firstRow + b.rows > rows)
            return fail(ErrorKind::BadData, QStringLiteral("batch %1 covers rows %2 to %3 of %4").arg(b.id).arg(b.firstRow + 1).arg(b.firstRow + b.rows).arg(rows));
        std::fill(batchOf.begin() + b.firstRow, batchOf.begin() + b.firstRow + b.rows, int(i));
        ExplainBatch e;
        e.batch = int(i);
        e.startMs = b.startMs;
        e.endMs = b.endMs;
        e.orgTimed = true;
        e.remoteJob = options.jobId;
        e.remoteBatch = b.id;
        explainer.addBatch(e);
        report.byBatch.push_back({b, 0, 0});
    }
    const LockKeys &keys = source.keys;
    const int errorColumn = results.roles.errorColumn;
    for (qint64 r = 0; r < rows; ++r) {
        QStringList parents;
        if (r < keys.rowCount())
            for (const auto k : keys.keysOf(r))
                parents << keys.keyLabel(k);
        explainer.addRow(r, batchOf[size_t(r)], parents);
        const QString &code = r < qint64(codes.size()) ? codes[size_t(r)] : QString();
        if (code.isEmpty() || batchOf[size_t(r)] < 0)
            continue;
        auto &counts = report.byBatch[size_t(batchOf[size_t(r)])];
        ++counts.failed;
        if (code != kLockCode)
            continue;
        ++counts.lockErrors;
        QString message;
        results.file.forEachField(r, [&](int column, std::string_view value) {
            if (column == errorColumn)
                message = QString::fromUtf8(value.data(), qsizetype(value.size()));
        });
        explainer.addLockError(r, batchOf[size_t(r)], parents, message);
    }
    report.explanations = explainer.explain();
    return {};
}

} // namespace

Result<TriageReport> triage(const TriageOptions &options, const Progress &progress)
{
    QElapsedTimer timer;
    timer.start();
    if (options.files.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("no result file given"));
    TriageReport report;
    std::vector<std::shared_ptr<FileAnalysis>> analyses;
    std::vector<TriageFile> emptyFiles;
    AnalyzeOptions analyze;
    analyze.object = options.object;
    analyze.operation = options.operation;
    for (const QString &path : options.files) {
        progress(0, 0, QStringLiteral("Reading %1").arg(QFileInfo(path).fileName()));
        auto analysis = analyzeFile(path, analyze, progress);
        if (!analysis && analysis.error().message.contains(QLatin1String("no data rows"))) {
            // A result file with its header only (no row failed, or none was left unprocessed).
            TriageFile empty;
            empty.path = path;
            emptyFiles.push_back(empty);
            continue;
        }
        if (!analysis)
            return std::unexpected(analysis.error());
        // A truncated or damaged result file cannot be trusted: its first broken row (one the
        // scan set aside, or text it could not read as a row at all) is named.
        {
            const LoadFile &f = (*analysis)->file;
            for (const Problem &p : f.problems().items())
                if (p.severity == Severity::Error && p.row > 0 && (p.row > f.rowCount() || (f.rowFlags(p.row - 1) & RowFlag::BadStructure)))
                    return fail(ErrorKind::BadData, QStringLiteral("%1 — a truncated or damaged result file: triage needs every row as it was written")
                                                        .arg(p.message),
                                path, p.line);
        }
        const FileKind kind = (*analysis)->roles.kind;
        if (kind == FileKind::LoadFile && !unprocessedFile(path))
            return fail(ErrorKind::BadData,
                        QStringLiteral("not a result file: no ERROR, STATUS, sf__Error or sf__Created column, and not Bulk API 1.0 results "
                                       "(Id, Success, Created, Error)"),
                        path, 1);
        if (report.object.isEmpty()) {
            report.object = (*analysis)->roles.object;
            report.operation = (*analysis)->operation;
        }
        analyses.push_back(std::move(*analysis));
    }
    if (analyses.empty())
        return fail(ErrorKind::Usage, QStringLiteral("every file is empty: nothing to triage"));
    if (std::none_of(analyses.begin(), analyses.end(), [](const auto &a) { return failureKind(a->roles.kind); }))
        return fail(ErrorKind::Usage, QStringLiteral("none of these is an error file (Data Loader's error file, Bulk API 2.0 failedResults, "
                                                     "Bulk API 1.0 results): nothing failed to triage"));

    // The source: analysed once; the record Ids it holds (15 characters), for the check below.
    std::shared_ptr<FileAnalysis> source;
    std::unordered_set<std::string> sourceIds;
    if (!options.source.isEmpty()) {
        progress(0, 0, QStringLiteral("Reading the source %1").arg(QFileInfo(options.source).fileName()));
        auto analysed = analyzeFile(options.source, analyze, progress);
        if (!analysed)
            return std::unexpected(analysed.error());
        source = std::move(*analysed);
        if (source->roles.kind != FileKind::LoadFile)
            return fail(ErrorKind::Usage, QStringLiteral("the source is itself a result file (%1): give the job's load file").arg(fileKindName(source->roles.kind)),
                        options.source, 1);
        if (source->roles.idColumn >= 0)
            for (qint64 r = 0; r < source->file.rowCount(); ++r)
                source->file.forEachField(r, [&](int column, std::string_view value) {
                    if (column == source->roles.idColumn && value.size() >= 15)
                        sourceIds.insert(std::string(value.substr(0, 15)));
                });
    }
    // Every result row must be one of the source's rows: by its record Id where it has one,
    // else (a failed insert) by the values of the columns it shares with the source — the
    // source's own columns, which Data Loader's error file and Bulk API 2.0's failedResults echo
    // (an external id among them). A row that is none of the source's: the files are not its.
    for (const auto &a : analyses) {
        if (!source)
            break;
        if (a->roles.kind == FileKind::BulkV1Result)
            continue;   // matched by order below
        // The columns both files have, by name, but the result's own (Id, errors, status).
        std::vector<std::pair<int, int>> shared;   // (result column, source column)
        for (int c = 0; c < a->file.columnCount(); ++c) {
            const QString &name = a->file.header()[c];
            if (c == a->roles.idColumn || c == a->roles.errorColumn || name.startsWith(QLatin1String("sf__"), Qt::CaseInsensitive) ||
                name.compare(QLatin1String("ERROR"), Qt::CaseInsensitive) == 0 || name.compare(QLatin1String("STATUS"), Qt::CaseInsensitive) == 0 ||
                name.compare(QLatin1String("Id"), Qt::CaseInsensitive) == 0)
                continue;
            for (int sc = 0; sc < source->file.columnCount(); ++sc)
                if (source->file.header()[sc].compare(name, Qt::CaseInsensitive) == 0) {
                    shared.emplace_back(c, sc);
                    break;
                }
        }
        // The source's rows by those values, counted (two identical rows match two results).
        std::unordered_map<std::string, qint64> sourceRows;
        const auto contentOf = [](const LoadFile &f, qint64 r, const std::vector<int> &columns) {
            std::vector<std::string> values(columns.size());
            f.forEachField(r, [&](int column, std::string_view value) {
                for (size_t i = 0; i < columns.size(); ++i)
                    if (columns[i] == column)
                        values[i] = std::string(value);
            });
            std::string key;
            for (const std::string &v : values) {
                key += v;
                key += '\x1f';
            }
            return key;
        };
        std::vector<int> sourceColumns, resultColumns;
        for (const auto &[rc, sc] : shared) {
            resultColumns.push_back(rc);
            sourceColumns.push_back(sc);
        }
        bool indexed = false;
        for (qint64 r = 0; r < a->file.rowCount(); ++r) {
            std::string id;
            if (a->roles.idColumn >= 0)
                a->file.forEachField(r, [&](int column, std::string_view value) {
                    if (column == a->roles.idColumn)
                        id = std::string(value.substr(0, 15));
                });
            if (id.size() == 15 && !sourceIds.empty()) {
                if (!sourceIds.contains(id))
                    return fail(ErrorKind::BadData,
                                QStringLiteral("the record %1 of this row is not in the source %2: these results are not that file's")
                                    .arg(QString::fromStdString(id), QFileInfo(options.source).fileName()),
                                a->file.path(), a->file.lineOfRow(r));
                continue;
            }
            if (shared.empty())
                continue;   // nothing to match by (unprocessed rows of another shape are refused above)
            if (!indexed) {
                for (qint64 sr = 0; sr < source->file.rowCount(); ++sr)
                    ++sourceRows[contentOf(source->file, sr, sourceColumns)];
                indexed = true;
            }
            const auto it = sourceRows.find(contentOf(a->file, r, resultColumns));
            if (it == sourceRows.end() || it->second == 0)
                return fail(ErrorKind::BadData,
                            QStringLiteral("no row of the source %1 has this row's values (%2 columns compared, no record Id to go by): these "
                                           "results are not that file's")
                                .arg(QFileInfo(options.source).fileName())
                                .arg(shared.size()),
                            a->file.path(), a->file.lineOfRow(r));
            --it->second;
        }
    }

    // Children per parent over every file (succeeded and failed rows), and locked rows per
    // parent, by the key's text: each file numbers its keys its own way.
    std::unordered_map<std::string, qint64> children, locked;
    std::unordered_map<std::string, std::pair<QString, QString>> labels;   // text → (label, object)
    const FileAnalysis *lockFile = nullptr;   // the file whose keys the most locked rows have
    std::vector<qint64> lockRowsOfLockFile;
    const FileAnalysis *bulk1Results = nullptr;   // Bulk 1.0 results matched to the source by order
    std::vector<QString> bulk1Codes;
    for (const auto &a : analyses) {
        TriageFile file;
        file.path = a->file.path();
        file.kind = a->roles.kind;
        file.rows = a->file.rowCount();
        const std::vector<QString> codes = rowCodesOf(*a);
        // Bulk API 1.0 results hold one row per row sent, in order, and no data: with the
        // source, row r is the source's row r.
        const bool byOrder = source && a->roles.kind == FileKind::BulkV1Result;
        if (byOrder && file.rows != source->file.rowCount())
            return fail(ErrorKind::BadData,
                        QStringLiteral("%1 result rows for %2 source rows: Bulk API 1.0 results match the source by order, one result per row "
                                       "(give every batch's results, in order, or the source of this batch alone)")
                            .arg(file.rows)
                            .arg(source->file.rowCount()),
                        file.path,
                        file.rows > source->file.rowCount() ? a->file.lineOfRow(source->file.rowCount())        // the first row too many
                                                            : a->file.lineOfRow(file.rows - 1) + 1);          // where the missing ones would start
        const FileAnalysis &keysFrom = byOrder ? *source : *a;
        const LockKeys &keys = keysFrom.keys;
        // Counted by this file's key ids first, merged by text once per key (not once per row).
        std::vector<qint64> childrenOfKey(keys.keyCount(), 0), lockedOfKey(keys.keyCount(), 0);
        std::vector<qint64> lockRows;
        for (qint64 r = 0; r < file.rows; ++r) {
            const bool hasKeys = r < keys.rowCount();
            if (hasKeys)
                for (const auto k : keys.keysOf(r))
                    ++childrenOfKey[k];
            const QString &code = codes[size_t(r)];
            if (a->roles.kind == FileKind::LoadFile) {   // unprocessed: never sent
                ++report.byCode[QStringLiteral("NOT_PROCESSED")];
                ++report.failed;
                ++file.failed;
                continue;
            }
            if (code.isEmpty()) {
                ++report.succeeded;
                continue;
            }
            ++report.failed;
            ++file.failed;
            ++report.byCode[code];
            if (code != kLockCode)
                continue;
            ++report.lockedRows;
            const auto rowKeys = hasKeys ? keys.keysOf(r) : std::span<const std::uint32_t>();
            if (rowKeys.empty()) {
                ++report.lockedRowsWithoutParent;
                continue;
            }
            lockRows.push_back(r);
            for (const auto k : rowKeys)
                ++lockedOfKey[k];
        }
        for (std::uint32_t k = 0; k < keys.keyCount(); ++k) {
            if (childrenOfKey[k] == 0)
                continue;
            const std::string text(keys.keyText(k));
            children[text] += childrenOfKey[k];
            if (lockedOfKey[k] > 0) {
                locked[text] += lockedOfKey[k];
                labels.try_emplace(text, keys.keyLabel(k), keys.keyObject(k));
            }
        }
        if (byOrder && !bulk1Results) {
            bulk1Results = a.get();
            bulk1Codes = codes;
        }
        if (!lockRows.empty() && lockRows.size() > lockRowsOfLockFile.size()) {
            lockFile = &keysFrom;
            lockRowsOfLockFile = std::move(lockRows);
        }
        report.files.push_back(file);
    }

    report.files.insert(report.files.end(), emptyFiles.begin(), emptyFiles.end());
    // What the user (or the Bulk job's info) says the job loaded wins over what columns suggest.
    if (!options.object.isEmpty())
        report.object = options.object;
    if (options.operation)
        report.operation = *options.operation;
    report.jobId = options.jobId;
    report.notes = options.notes;
    if (!options.batches.empty() && bulk1Results && source)
        if (auto r = explainBatches(options, *source, *bulk1Results, bulk1Codes, report); !r)
            return std::unexpected(r.error());

    // The locked parents, most locked rows first, with their skew.
    if (!analyses.empty())
        report.skewThreshold = analyses.front()->distribution.skewThreshold();
    report.lockedParentCount = qint64(locked.size());
    std::vector<LockedParent> parents;
    parents.reserve(locked.size());
    for (const auto &[text, n] : locked) {
        LockedParent p;
        p.label = labels[text].first;
        p.object = labels[text].second;
        p.lockedRows = n;
        p.children = children[text];
        report.skewedLockedParents += p.children > report.skewThreshold ? 1 : 0;
        parents.push_back(std::move(p));
    }
    std::sort(parents.begin(), parents.end(), [](const LockedParent &a, const LockedParent &b) {
        return a.lockedRows != b.lockedRows ? a.lockedRows > b.lockedRows : a.label < b.label;
    });
    if (qsizetype(parents.size()) > options.topParents)
        parents.resize(size_t(options.topParents));
    report.lockedParents = std::move(parents);

    // What to do with the locked rows: replanned in parent-aware lanes, each parent's children
    // counted over every file (the org has them all), predicted beside the same rows in parallel.
    if (lockFile) {
        progress(0, 0, QStringLiteral("Predicting the locked rows again"));
        const FileAnalysis &a = *lockFile;
        PlanOptions plan;
        plan.profile = options.profile;
        plan.object = report.object.isEmpty() ? QStringLiteral("Opportunity") : report.object;
        plan.operation = report.operation;
        plan.api = options.api.value_or(Api::Bulk1Parallel);
        auto counts = std::make_shared<std::vector<std::uint32_t>>(a.keys.keyCount(), 0);
        for (std::uint32_t k = 0; k < a.keys.keyCount(); ++k)
            (*counts)[k] = std::uint32_t(std::min<qint64>(children[std::string(a.keys.keyText(k))], 0xFFFFFFFF));
        plan.orgChildren = counts;
        report.recommendedRows = qint64(lockRowsOfLockFile.size());
        for (const auto &[name, slot] : {std::pair{QStringLiteral("lanes"), &report.recommended}, std::pair{QStringLiteral("parallel"), &report.parallel}}) {
            auto retry = RetryPolicy::plan(a.keys, lockRowsOfLockFile, *Mitigation::parse(name), plan);
            if (!retry)
                continue;
            if (auto predicted = Comparison::predict(retry->plan, retry->keys, plan.profile, SeedPolicy{}, Progress{{}, progress.cancel}); predicted)
                *slot = predicted->summary;
        }
    }
    report.seconds = double(timer.nsecsElapsed()) / 1e9;
    return report;
}

QJsonObject TriageReport::toJson() const
{
    QJsonArray fileArray;
    for (const TriageFile &f : files)
        fileArray.append(QJsonObject{{QStringLiteral("path"), f.path},
                                     {QStringLiteral("kind"), f.rows == 0 ? QStringLiteral("empty") : f.kind == FileKind::LoadFile ? QStringLiteral("unprocessed") : fileKindName(f.kind)},
                                     {QStringLiteral("rows"), f.rows},
                                     {QStringLiteral("failed"), f.failed}});
    QJsonObject codes;
    for (const auto &[code, n] : byCode)
        codes.insert(code, n);
    QJsonArray parentArray;
    for (const LockedParent &p : lockedParents)
        parentArray.append(QJsonObject{{QStringLiteral("id"), p.label},
                                       {QStringLiteral("object"), p.object},
                                       {QStringLiteral("lockedRows"), p.lockedRows},
                                       {QStringLiteral("children"), p.children},
                                       {QStringLiteral("skewed"), p.children > skewThreshold}});
    QJsonObject o{{QStringLiteral("files"), fileArray},
                  {QStringLiteral("object"), object},
                  {QStringLiteral("operation"), operationName(operation)},
                  {QStringLiteral("rows"), succeeded + failed},
                  {QStringLiteral("succeeded"), succeeded},
                  {QStringLiteral("failed"), failed},
                  {QStringLiteral("errorsByCode"), codes},
                  {QStringLiteral("lockErrors"), lockedRows},
                  {QStringLiteral("lockErrorsWithoutParent"), lockedRowsWithoutParent},
                  {QStringLiteral("lockedParents"), parentArray},
                  {QStringLiteral("lockedParentCount"), lockedParentCount},
                  {QStringLiteral("skewThreshold"), skewThreshold},
                  {QStringLiteral("skewedLockedParents"), skewedLockedParents},
                  {QStringLiteral("seconds"), seconds}};
    if (recommended) {
        QJsonObject r = recommended->toJson();
        r.insert(QStringLiteral("rows"), recommendedRows);
        o.insert(QStringLiteral("recommended"), r);
    }
    if (parallel)
        o.insert(QStringLiteral("sameRowsInParallel"), parallel->toJson());
    if (!jobId.isEmpty())
        o.insert(QStringLiteral("job"), jobId);
    if (!notes.isEmpty())
        o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(notes));
    if (!byBatch.empty()) {
        QJsonArray batchArray;
        for (const BatchFailures &b : byBatch)
            batchArray.append(QJsonObject{{QStringLiteral("id"), b.batch.id},
                                          {QStringLiteral("state"), b.batch.state},
                                          {QStringLiteral("firstRow"), b.batch.firstRow + 1},
                                          {QStringLiteral("rows"), b.batch.rows},
                                          {QStringLiteral("failed"), b.failed},
                                          {QStringLiteral("lockErrors"), b.lockErrors},
                                          {QStringLiteral("startMs"), b.batch.startMs},
                                          {QStringLiteral("endMs"), b.batch.endMs}});
        o.insert(QStringLiteral("byBatch"), batchArray);
        QJsonArray explained;
        std::map<QString, qint64> verdicts;
        for (const LockExplanation &e : explanations) {
            explained.append(e.toJson());
            ++verdicts[LockExplanation::verdictName(e.verdict)];
        }
        QJsonObject v;
        for (const auto &[name, n] : verdicts)
            v.insert(name, n);
        o.insert(QStringLiteral("explanations"), explained);
        o.insert(QStringLiteral("explanationVerdicts"), v);
    }
    return o;
}

} // namespace lockstep
