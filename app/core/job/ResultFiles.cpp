#include "job/ResultFiles.h"

#include "load/CsvWriter.h"

#include <QDir>

namespace lockstep {

std::optional<ResultFormat> parseResultFormat(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("dataloader"))
        return ResultFormat::DataLoader;
    if (t == QLatin1String("dataloader-bulkv2"))
        return ResultFormat::DataLoaderBulkV2;
    if (t == QLatin1String("bulkv2") || t == QLatin1String("sf"))
        return ResultFormat::BulkV2;
    if (t == QLatin1String("full"))
        return ResultFormat::Full;
    return std::nullopt;
}

QString errorCell(const RowRecord &r)
{
    switch (r.status) {
    case RowStatus::Unknown:
        return QStringLiteral("UNKNOWN:the org's answer was lost and Lockstep could not confirm whether this row was written; "
                              "check the record before loading it again:--");
    case RowStatus::Pending:
    case RowStatus::Sent:
        return QStringLiteral("NOT_PROCESSED:the job ended before this row was loaded:--");
    default: break;
    }
    return r.statusCode + QLatin1Char(':') + r.message + QLatin1Char(':') +
           (r.fields.isEmpty() ? QStringLiteral("--") : r.fields.join(QLatin1Char(',')) + QStringLiteral(" --"));
}

namespace {

QString successStatus(Operation op, bool created)
{
    switch (op) {
    case Operation::Delete: return QStringLiteral("Item Deleted");
    case Operation::Insert: return QStringLiteral("Item Created");
    case Operation::Update: return QStringLiteral("Item Updated");
    case Operation::Upsert: return created ? QStringLiteral("Item Created") : QStringLiteral("Item Updated");
    }
    return {};
}

QString parentsOf(const LockKeys *keys, qint64 row)
{
    if (!keys || row >= keys->rowCount())
        return {};
    QStringList parents;
    for (const auto k : keys->keysOf(row))
        parents << keys->keyLabel(k);
    return parents.join(QLatin1Char(';'));
}

} // namespace

Result<ResultFileSet> writeResultFiles(const LoadFile &file, const RowRecordSource &rows, const ResultFilesOptions &options,
                                       const Progress &progress)
{
    if (!file.scanned())
        return fail(ErrorKind::Internal, QStringLiteral("result files need the scanned source file"));
    const QDir dir(options.directory.isEmpty() ? QStringLiteral(".") : options.directory);
    // A folder named for the results is made, as Data Loader and `sf data bulk results` do.
    if (!dir.exists() && !QDir().mkpath(dir.path()))
        return fail(ErrorKind::Io, QStringLiteral("cannot create the results folder %1").arg(dir.path()));
    const QString base = dir.filePath(options.baseName);
    const QStringList columns = file.header();
    // Salesforce writes result files with every field quoted; so do we.
    const CsvStyle style{',', true, "\n"};

    struct Sink {
        QString suffix;
        QStringList header;
    };
    std::vector<Sink> sinks;
    switch (options.format) {
    case ResultFormat::DataLoader:
        sinks = {{QStringLiteral("-success.csv"), QStringList{QStringLiteral("ID")} + columns + QStringList{QStringLiteral("STATUS")}},
                 {QStringLiteral("-error.csv"), columns + QStringList{QStringLiteral("ERROR")}}};
        break;
    case ResultFormat::DataLoaderBulkV2:
        sinks = {{QStringLiteral("-success.csv"), QStringList{QStringLiteral("ID"), QStringLiteral("sf__Created")} + columns},
                 {QStringLiteral("-error.csv"), QStringList{QStringLiteral("ID"), QStringLiteral("ERROR")} + columns}};
        break;
    case ResultFormat::BulkV2:
        sinks = {{QStringLiteral("-success-records.csv"), QStringList{QStringLiteral("sf__Id"), QStringLiteral("sf__Created")} + columns},
                 {QStringLiteral("-failed-records.csv"), QStringList{QStringLiteral("sf__Id"), QStringLiteral("sf__Error")} + columns},
                 {QStringLiteral("-unprocessed-records.csv"), columns}};
        break;
    case ResultFormat::Full:
        sinks = {{QStringLiteral("-report.csv"),
                  QStringList{QStringLiteral("ROW"), QStringLiteral("STATUS"), QStringLiteral("STATUS_CODE"), QStringLiteral("MESSAGE"),
                              QStringLiteral("ID"), QStringLiteral("CREATED"), QStringLiteral("PARENTS"), QStringLiteral("ATTEMPTS")} +
                      columns}};
        break;
    }
    std::vector<CsvFileWriter> writers;
    for (const Sink &s : sinks) {
        auto w = CsvFileWriter::create(base + s.suffix, style);
        if (!w)
            return std::unexpected(w.error());
        w->writeRow(s.header);
        writers.push_back(std::move(*w));
    }

    ResultFileSet set;
    const qint64 count = file.rowCount();
    for (qint64 row = 0; row < count; ++row) {
        if ((row & 0xFFFF) == 0) {
            if (progress.cancelled())
                return fail(ErrorKind::Cancelled, QStringLiteral("writing result files cancelled"));
            progress(row, count, QStringLiteral("Writing result files"));
        }
        const RowRecord r = rows(row);
        const QStringList values = file.fields(row);
        const bool ok = r.status == RowStatus::Succeeded;
        const bool neverSent = r.status == RowStatus::Pending;
        set.succeeded += ok;
        set.failed += !ok;
        set.unknown += r.status == RowStatus::Unknown || r.status == RowStatus::Sent;
        set.unprocessed += neverSent;
        const QString created = r.created ? QStringLiteral("true") : QStringLiteral("false");
        switch (options.format) {
        case ResultFormat::DataLoader:
            if (ok)
                writers[0].writeRow(QStringList{r.recordId} + values + QStringList{successStatus(options.operation, r.created)});
            else
                writers[1].writeRow(values + QStringList{errorCell(r)});
            break;
        case ResultFormat::DataLoaderBulkV2:
            if (ok)
                writers[0].writeRow(QStringList{r.recordId, created} + values);
            else
                writers[1].writeRow(QStringList{r.recordId, errorCell(r)} + values);
            break;
        case ResultFormat::BulkV2:
            if (ok)
                writers[0].writeRow(QStringList{r.recordId, created} + values);
            else if (neverSent)
                writers[2].writeRow(values);
            else
                writers[1].writeRow(QStringList{r.recordId, errorCell(r)} + values);
            break;
        case ResultFormat::Full:
            writers[0].writeRow(QStringList{QString::number(row + 1), rowStatusName(r.status),
                                            ok ? QString() : errorCell(r).section(QLatin1Char(':'), 0, 0),
                                            ok ? QString() : (r.statusCode.isEmpty() ? errorCell(r).section(QLatin1Char(':'), 1, -2) : r.message),
                                            r.recordId, created, parentsOf(options.keys, row), QString::number(r.attempts)} +
                                values);
            break;
        }
    }
    for (auto &w : writers) {
        if (auto c = w.commit(); !c)
            return std::unexpected(c.error());
        set.paths << w.path();
    }
    progress(count, count, QStringLiteral("Writing result files"));
    return set;
}

} // namespace lockstep
