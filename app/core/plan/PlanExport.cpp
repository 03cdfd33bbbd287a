#include "plan/PlanExport.h"

#include "common/Format.h"
#include "load/LoadFile.h"
#include "load/RowCopier.h"
#include "locks/LockKeys.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <map>
#include <queue>

namespace lockstep {

namespace {

constexpr auto kFormat = "lockstep-export/1";

bool isLanes(const Plan &plan)
{
    return plan.mitigation.scheduling == Scheduling::Lanes || plan.mitigation.scheduling == Scheduling::ParentQueue;
}

void append(ExportFile &file, const Plan &plan, int batch)
{
    const PlanBatch &b = plan.batches[size_t(batch)];
    file.batches.push_back(batch);
    file.rows += b.rows;
    file.expectedSeconds += b.expectedSeconds;
    if (b.lane == PlanBatch::kSharedQueue)
        ++file.sharedBatches;
    else if (file.lanes.empty() || file.lanes.back() != b.lane)
        file.lanes.push_back(b.lane);
}

// Letters, digits, '.', '_' and '-' only: names that need no quoting in a shell command.
QString safeName(const QString &text)
{
    QString out;
    for (const QChar c : text)
        out += c.isLetterOrNumber() && c.unicode() < 128 ? c : (c == u'.' || c == u'_' || c == u'-') ? c : QChar(u'-');
    return out.isEmpty() ? QStringLiteral("load") : out;
}

void nameFiles(std::vector<ExportFile> &files, const LoadFile &source, const Plan &plan)
{
    const QFileInfo info(source.path());
    const QString stem = safeName(info.completeBaseName());
    const QString suffix = info.suffix().isEmpty() ? QStringLiteral("csv") : safeName(info.suffix());
    const QString mitigation = safeName(QString(plan.mitigation.key()).replace(u'+', u'-').replace(u':', u'-'));
    if (files.size() == 1 && !isLanes(plan)) {
        files[0].name = QStringLiteral("%1-%2.%3").arg(stem, mitigation, suffix);
        return;
    }
    const int width = int(QString::number(files.size()).size());
    for (size_t i = 0; i < files.size(); ++i)
        files[i].name = QStringLiteral("%1-%2-%3-of-%4.%5")
                            .arg(stem, mitigation)
                            .arg(qint64(i + 1), width, 10, QLatin1Char('0'))
                            .arg(qint64(files.size()))
                            .arg(suffix);
}

QString parentName(const LockKeys &keys, std::uint32_t key)
{
    const QString object = keys.keyObject(key);
    return object.isEmpty() ? keys.keyLabel(key) : object + QLatin1Char(' ') + keys.keyLabel(key);
}

// How one file is loaded by the tools people have: the Salesforce CLI's command (when it has
// one that loads the file the way the plan needs) and Data Loader's settings.
struct LoadInstructions {
    QString sf;
    QString sfUnavailable;   // why there is no sf command
    QString dataLoader;
};

LoadInstructions instructionsFor(const Plan &plan, const LoadFile &source, bool serial, const QString &externalId,
                                 const QString &fileName)
{
    LoadInstructions how;
    const QString object = plan.object;
    const Operation op = plan.operation;
    const bool matchesById = op == Operation::Update || op == Operation::Upsert;
    const CsvDialect &d = source.dialect();
    const QString wait = QStringLiteral(" --wait 120");
    switch (plan.api) {
    case Api::Bulk1Parallel:
    case Api::Bulk1Serial:
        if (matchesById)
            how.sf = QStringLiteral("sf force data bulk upsert --sobject %1 --file %2 --external-id %3%4%5")
                         .arg(object, fileName, externalId, serial ? QStringLiteral(" --serial") : QString(), wait);
        else if (op == Operation::Delete && !serial)
            how.sf = QStringLiteral("sf force data bulk delete --sobject %1 --file %2%3").arg(object, fileName, wait);
        else
            how.sfUnavailable = op == Operation::Delete
                                    ? QStringLiteral("the Salesforce CLI's Bulk API 1.0 delete has no --serial")
                                    : QStringLiteral("the Salesforce CLI has no Bulk API 1.0 insert");
        break;
    case Api::Bulk2: {
        QString extra;
        if (d.delimiter != ',')
            extra += QStringLiteral(" --column-delimiter ") + d.delimiterName().toUpper();
        if (d.crlf)
            extra += QStringLiteral(" --line-ending CRLF");
        if (matchesById)
            how.sf = QStringLiteral("sf data upsert bulk --sobject %1 --file %2 --external-id %3%4%5").arg(object, fileName, externalId, extra, wait);
        else if (op == Operation::Insert)
            how.sf = QStringLiteral("sf data import bulk --sobject %1 --file %2%3%4").arg(object, fileName, extra, wait);
        else
            how.sf = QStringLiteral("sf data delete bulk --sobject %1 --file %2%3%4").arg(object, fileName, extra, wait);
        break;
    }
    case Api::RestCollections:
        how.sfUnavailable = QStringLiteral("the Salesforce CLI has no command that sends a file %1 rows a call").arg(plan.batchSize);
        break;
    }

    const QString opName = operationName(op);
    QStringList conf{QStringLiteral("process.operation=%1").arg(opName), QStringLiteral("sfdc.entity=%1").arg(object),
                     QStringLiteral("dataAccess.name=%1").arg(fileName)};
    QString settings;
    if (plan.api == Api::RestCollections) {
        settings = QStringLiteral("Use Bulk API off, batch size %1 (one call at a time)").arg(plan.batchSize);
        conf << QStringLiteral("sfdc.useBulkApi=false") << QStringLiteral("sfdc.loadBatchSize=%1").arg(plan.batchSize);
    } else if (plan.api == Api::Bulk2) {
        settings = QStringLiteral("Use Bulk API 2.0 on");
        conf << QStringLiteral("sfdc.useBulkV2Api=true");
    } else {
        settings = QStringLiteral("Use Bulk API on, Enable serial mode for Bulk API %1, batch size %2")
                       .arg(serial ? QStringLiteral("on") : QStringLiteral("off"))
                       .arg(plan.batchSize);
        conf << QStringLiteral("sfdc.useBulkApi=true") << QStringLiteral("sfdc.bulkApiSerialMode=%1").arg(serial ? "true" : "false")
             << QStringLiteral("sfdc.loadBatchSize=%1").arg(plan.batchSize);
    }
    if (op == Operation::Upsert) {
        settings += QStringLiteral(", external id %1").arg(externalId);
        conf << QStringLiteral("sfdc.externalIdField=%1").arg(externalId);
    }
    how.dataLoader = QStringLiteral("%1 %2 from %3; Settings: %4 (process-conf: %5)")
                         .arg(opName.left(1).toUpper() + opName.mid(1), object, fileName, settings, conf.join(QStringLiteral(", ")));
    return how;
}

QString lineEndName(const CsvDialect &d)
{
    return d.crlf ? QStringLiteral("CRLF") : d.newline == '\r' ? QStringLiteral("CR") : QStringLiteral("LF");
}

// The sentence that says how the whole export runs.
QString howToRun(const Plan &plan, const std::vector<ExportFile> &files)
{
    const QString batch = grouped(plan.batchSize);
    if (isLanes(plan)) {
        const QString each = plan.api == Api::RestCollections
                                 ? QStringLiteral("each sent one call of up to %1 rows at a time (Data Loader without the Bulk API does that)").arg(batch)
                                 : QStringLiteral("each as its own Bulk API 1.0 job in Serial mode");
        return QStringLiteral("Start all %1 files at once, %2. No file waits for another. Inside a file one batch runs at "
                              "a time, so any batch size is safe (%3 rows is the plan's); no two files lock the same "
                              "parent%4, so files running side by side cannot deadlock.")
            .arg(files.size())
            .arg(each, batch,
                 plan.lanes.empty() || std::none_of(plan.lanes.begin(), plan.lanes.end(), [](const PlanLane &l) { return l.group >= 0; })
                     ? QString()
                     : QStringLiteral(" except a skewed parent the plan loads on several lanes side by side (see sharedParents)"));
    }
    switch (plan.api) {
    case Api::Bulk1Serial:
        return QStringLiteral("Load the file as one Bulk API 1.0 job in Serial mode: one batch at a time, in file order.");
    case Api::Bulk1Parallel:
        return QStringLiteral("Load the file as one Bulk API 1.0 job in Parallel mode, in batches of %1 rows: the plan's "
                              "batches are these rows cut every %1 rows, in file order (Data Loader's batch size).")
            .arg(batch);
    case Api::Bulk2:
        return QStringLiteral("Load the file as one Bulk API 2.0 job; the platform cuts it into batches of its own.");
    case Api::RestCollections:
        return QStringLiteral("Send the file in calls of %1 rows, in file order, %2 at a time (Data Loader without the "
                              "Bulk API sends one at a time: slower, never more collisions).")
            .arg(batch)
            .arg(plan.concurrency);
    }
    return {};
}

QStringList exportNotes(const Plan &plan, const LoadFile &source)
{
    QStringList notes;
    if (source.dialect().delimiter != ',')
        notes << QStringLiteral("The files keep the source's %1 delimiter: tell the client (Data Loader: Settings → the "
                                "CSV delimiter; sf data … bulk: --column-delimiter).")
                     .arg(source.dialect().delimiterName());
    if (plan.duplicateRulesOff)
        notes << QStringLiteral("The plan switches the duplicate rules of %1 off: a file cannot. Deactivate them before "
                                "the load and activate them again after it (Setup → Duplicate Rules).")
                     .arg(plan.object);
    if (plan.operation == Operation::Update)
        notes << QStringLiteral("The Salesforce CLI updates as an upsert on Id: a row whose Id the org does not have "
                                "fails either way.");
    return notes;
}

// Reads the file names an earlier export listed in `manifest`, to remove those this one does
// not rewrite. Not a Lockstep manifest: an error (the folder is someone else's).
Result<QStringList> previousFiles(const QString &manifest)
{
    QFile f(manifest);
    if (!f.exists())
        return QStringList{};
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(manifest, f.errorString()), manifest);
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    if (o.value(QStringLiteral("format")).toString() != QLatin1String(kFormat))
        return fail(ErrorKind::Usage, QStringLiteral("%1 is not a Lockstep export manifest: choose another folder").arg(manifest), manifest);
    QStringList names;
    for (const auto &v : o.value(QStringLiteral("files")).toArray()) {
        const QString name = v.toObject().value(QStringLiteral("file")).toString();
        if (!name.isEmpty() && !name.contains(u'/') && !name.contains(u'\\') && name != QLatin1String(".."))
            names << name;
    }
    return names;
}

Result<void> saveText(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return fail(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(path, f.errorString()), path);
    return {};
}

// A file whose quoting is broken cannot be cut into rows with certainty: copying rows from it
// could split or merge records. Other problems (a bad Id, a ragged row) stay the user's to see;
// the rows are exported as they are.
Result<void> checkRowsAreCertain(const LoadFile &file)
{
    for (const ProblemCode code : {ProblemCode::UnterminatedQuote, ProblemCode::MalformedQuote}) {
        if (file.problems().countOf(code) == 0)
            continue;
        const auto &items = file.problems().items();
        const auto it = std::find_if(items.begin(), items.end(), [&](const Problem &p) { return p.code == code; });
        const Problem p = it != items.end() ? *it : Problem{};
        return fail(ErrorKind::BadData,
                    QStringLiteral("%1: where its rows begin and end is uncertain, so they cannot be copied into plan "
                                   "files; fix the file first ('lockstep-cli analyze' lists every problem)")
                        .arg(p.message.isEmpty() ? problemCodeName(code) : p.message),
                    file.path(), p.line, p.row);
    }
    return {};
}

} // namespace

std::vector<ExportFile> PlanExport::layout(const Plan &plan, int maxFiles)
{
    std::vector<ExportFile> files;
    if (plan.batches.empty())
        return files;
    if (!isLanes(plan)) {
        ExportFile f;
        f.serial = plan.api == Api::Bulk1Serial || plan.mitigation.scheduling == Scheduling::Serial;
        for (int b = 0; b < int(plan.batches.size()); ++b)
            append(f, plan, b);
        files.push_back(std::move(f));
        return files;
    }

    // The units a file carries whole: each serial lane (its batches in order), each shared batch.
    struct Unit {
        std::vector<int> batches;
        double seconds = 0;
    };
    std::vector<Unit> lanes;
    std::vector<Unit> shared;
    for (int b = 0; b < int(plan.batches.size()); ++b) {
        const PlanBatch &batch = plan.batches[size_t(b)];
        Unit *unit = nullptr;
        if (batch.lane == PlanBatch::kSharedQueue) {
            unit = &shared.emplace_back();
        } else {
            if (size_t(batch.lane) >= lanes.size())
                lanes.resize(size_t(batch.lane) + 1);
            unit = &lanes[size_t(batch.lane)];
        }
        unit->batches.push_back(b);
        unit->seconds += batch.expectedSeconds;
    }
    std::erase_if(lanes, [](const Unit &u) { return u.batches.empty(); });
    std::stable_sort(lanes.begin(), lanes.end(), [](const Unit &a, const Unit &b) { return a.seconds > b.seconds; });

    const qint64 units = qint64(lanes.size() + shared.size());
    const int count = int(std::min<qint64>(units, maxFiles > 0 ? maxFiles : std::max(1, plan.concurrency)));
    files.resize(size_t(count));
    // Each unit onto the file that frees up first (ties: the lowest number), as the plan's W
    // workers take the next batch when they finish one.
    using Load = std::pair<double, int>;
    std::priority_queue<Load, std::vector<Load>, std::greater<>> freeAt;
    for (int f = 0; f < count; ++f) {
        files[size_t(f)].serial = true;
        freeAt.push({0.0, f});
    }
    auto place = [&](const Unit &u) {
        auto [at, f] = freeAt.top();
        freeAt.pop();
        for (const int b : u.batches)
            append(files[size_t(f)], plan, b);
        freeAt.push({at + u.seconds, f});
    };
    for (const Unit &u : lanes)
        place(u);
    for (const Unit &u : shared)
        place(u);
    return files;
}

namespace {

// Per lock key, the files its rows are in; a key in two files of one step is a parent they share.
// Rows arrive in any order (source order, pass by pass).
struct KeyFiles {
    explicit KeyFiles(std::uint32_t keyCount) : first(keyCount, -1), rows(keyCount, 0) {}
    std::vector<int> first;
    std::vector<std::uint32_t> rows;
    QSet<quint64> others;   // (key << 32 | file) for files other than the key's first

    void add(std::uint32_t k, int f)
    {
        ++rows[k];
        if (first[k] < 0)
            first[k] = f;
        else if (first[k] != f)
            others.insert(quint64(k) << 32 | quint64(f));
    }
};

// Writes every file and fills their sizes and parents.
Result<void> writeFiles(const LoadFile &file, const LockKeys &keys, const Plan &plan, const QDir &dir, std::uint64_t sliceBytes,
                        std::vector<ExportFile> &files, KeyFiles &keyFiles, const Progress &progress)
{
    std::vector<RowCopier::Target> targets;
    for (const ExportFile &f : files) {
        RowCopier::Target t;
        t.path = dir.filePath(f.name);
        for (const int b : f.batches)
            t.runs.push_back(plan.rowsOf(plan.batches[size_t(b)]));
        targets.push_back(std::move(t));
    }
    auto copied = RowCopier::copy(file, targets, progress, [&](qint64 row, int target) {
        for (const auto k : keys.keysOf(row))
            keyFiles.add(k, target);
    }, sliceBytes);
    if (!copied)
        return copied;
    for (size_t f = 0; f < files.size(); ++f) {
        files[f].bytes = targets[f].bytes;
        files[f].parents = 0;
        for (const int first : keyFiles.first)
            files[f].parents += first == int(f) ? 1 : 0;
    }
    for (const quint64 pair : keyFiles.others)
        ++files[size_t(pair & 0xFFFFFFFFu)].parents;
    return {};
}

std::vector<SharedParent> sharedParentsOf(const KeyFiles &keyFiles, const LockKeys &keys, const Plan &plan,
                                          std::vector<ExportFile> &files)
{
    QSet<std::uint32_t> sideBySide;   // skewed parents the plan itself puts on several lanes at once
    for (const PlanLane &l : plan.lanes)
        if (l.group >= 0 && l.mainKey != LockKeys::npos)
            sideBySide.insert(l.mainKey);
    std::map<std::uint32_t, std::vector<int>> filesOfKey;
    for (const quint64 pair : keyFiles.others)
        filesOfKey[std::uint32_t(pair >> 32)].push_back(int(pair & 0xFFFFFFFFu));
    std::vector<SharedParent> shared;
    for (auto &[key, in] : filesOfKey) {
        in.push_back(keyFiles.first[key]);
        std::sort(in.begin(), in.end());
        SharedParent s;
        s.parent = parentName(keys, key);
        s.rows = keyFiles.rows[key];
        for (const int f : in) {
            s.files << files[size_t(f)].name;
            for (const int g : in)
                if (g != f && !files[size_t(f)].sharesParentsWith.contains(files[size_t(g)].name))
                    files[size_t(f)].sharesParentsWith << files[size_t(g)].name;
        }
        s.why = sideBySide.contains(key)
                    ? QStringLiteral("the plan loads this skewed parent on several lanes side by side: their transactions "
                                     "lock only it, so they queue for it and cannot deadlock, each wait well under the lock timeout")
                    : QStringLiteral("rows in these files lock it too: running them side by side can make them wait for it");
        shared.push_back(std::move(s));
    }
    std::sort(shared.begin(), shared.end(), [](const SharedParent &a, const SharedParent &b) { return a.rows > b.rows; });
    for (ExportFile &f : files)
        f.sharesParentsWith.sort();
    return shared;
}

// What a file holds, in words: "serial lane 1 (Account …: 12,000 rows …); then 40 batches of the shared queue".
QString contentsOf(const ExportFile &f, const Plan &plan)
{
    if (!isLanes(plan))
        return QStringLiteral("every row, in the plan's order");
    QStringList parts;
    for (const int l : f.lanes) {
        const auto lane = std::find_if(plan.lanes.begin(), plan.lanes.end(), [&](const PlanLane &p) { return p.index == l; });
        parts << QStringLiteral("serial lane %1").arg(l + 1) +
                     (lane != plan.lanes.end() && !lane->reason.isEmpty() ? QStringLiteral(" (") + lane->reason + QLatin1Char(')') : QString());
    }
    if (f.sharedBatches > 0)
        parts << QStringLiteral("%1 batch%2 of the shared queue").arg(grouped(f.sharedBatches), f.sharedBatches == 1 ? "" : "es");
    return parts.join(QStringLiteral("; then "));
}

QString externalIdOf(const Plan &plan, const PlanExportOptions &options)
{
    if (plan.operation == Operation::Insert)
        return {};
    return plan.operation == Operation::Upsert && !options.externalIdField.isEmpty() ? options.externalIdField : QStringLiteral("Id");
}

QJsonObject fileJson(const ExportFile &f, const Plan &plan, const LoadInstructions &how)
{
    QJsonArray batchRows, lanes;
    for (const int b : f.batches)
        batchRows.append(qint64(plan.batches[size_t(b)].rows));
    for (const int l : f.lanes)
        lanes.append(l + 1);
    QJsonObject o{{QStringLiteral("file"), f.name},
                  {QStringLiteral("step"), f.step},
                  {QStringLiteral("concurrencyMode"), f.serial ? QStringLiteral("Serial") : QStringLiteral("Parallel")},
                  {QStringLiteral("rows"), f.rows},
                  {QStringLiteral("bytes"), f.bytes},
                  {QStringLiteral("batches"), qint64(f.batches.size())},
                  {QStringLiteral("batchRows"), batchRows},
                  {QStringLiteral("lanes"), lanes},
                  {QStringLiteral("sharedBatches"), f.sharedBatches},
                  {QStringLiteral("parents"), f.parents},
                  {QStringLiteral("expectedSeconds"), f.expectedSeconds},
                  {QStringLiteral("dependsOn"), QJsonArray{}},
                  {QStringLiteral("sharesParentsWith"), QJsonArray::fromStringList(f.sharesParentsWith)},
                  {QStringLiteral("contents"), contentsOf(f, plan)},
                  {QStringLiteral("sf"), how.sf.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(how.sf)},
                  {QStringLiteral("dataLoader"), how.dataLoader}};
    if (!how.sfUnavailable.isEmpty())
        o.insert(QStringLiteral("sfUnavailable"), how.sfUnavailable);
    return o;
}

QJsonObject manifestOf(const PlanExportResult &r, const LoadFile &file, const Plan &plan, const QString &externalId,
                       const std::vector<LoadInstructions> &how)
{
    const CsvDialect &dialect = file.dialect();
    QJsonArray files, names, shared;
    for (size_t i = 0; i < r.files.size(); ++i) {
        files.append(fileJson(r.files[i], plan, how[i]));
        names.append(r.files[i].name);
    }
    for (const SharedParent &s : r.sharedParents)
        shared.append(QJsonObject{{QStringLiteral("parent"), s.parent},
                                  {QStringLiteral("files"), QJsonArray::fromStringList(s.files)},
                                  {QStringLiteral("rows"), s.rows},
                                  {QStringLiteral("why"), s.why}});
    return QJsonObject{
        {QStringLiteral("format"), QLatin1String(kFormat)},
        {QStringLiteral("source"), QJsonObject{{QStringLiteral("file"), QFileInfo(file.path()).absoluteFilePath()},
                                               {QStringLiteral("rows"), file.rowCount()},
                                               {QStringLiteral("bytes"), qint64(file.sizeBytes())},
                                               {QStringLiteral("delimiter"), dialect.delimiterName()},
                                               {QStringLiteral("lineEnding"), lineEndName(dialect)},
                                               {QStringLiteral("bom"), dialect.bomLength > 0},
                                               {QStringLiteral("header"), QJsonArray::fromStringList(file.header())}}},
        {QStringLiteral("object"), plan.object},
        {QStringLiteral("operation"), operationName(plan.operation)},
        {QStringLiteral("externalIdField"), externalId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(externalId)},
        {QStringLiteral("mitigation"), plan.mitigation.key()},
        {QStringLiteral("label"), plan.mitigation.label()},
        {QStringLiteral("api"), apiName(plan.api)},
        {QStringLiteral("batchSize"), plan.batchSize},
        {QStringLiteral("concurrency"), plan.concurrency},
        {QStringLiteral("rows"), r.rows},
        {QStringLiteral("howToRun"), howToRun(plan, r.files)},
        {QStringLiteral("steps"), QJsonArray{QJsonObject{{QStringLiteral("step"), 1},
                                                         {QStringLiteral("together"), true},
                                                         {QStringLiteral("files"), names}}}},
        {QStringLiteral("files"), files},
        {QStringLiteral("sharedParents"), shared},
        {QStringLiteral("notes"), QJsonArray::fromStringList(exportNotes(plan, file))},
    };
}

// README.txt: the manifest for people. Built by concatenation, never .arg() chains: a lane's
// reason or a file name that holds "%1" must not be read as an argument marker.
QString readmeOf(const PlanExportResult &r, const LoadFile &file, const Plan &plan, const QString &externalId,
                 const std::vector<LoadInstructions> &how)
{
    const bool several = r.files.size() > 1;
    qsizetype width = 8;
    for (const ExportFile &f : r.files)
        width = std::max(width, f.name.size());
    QString files, sf, dataLoader;
    for (size_t i = 0; i < r.files.size(); ++i) {
        const ExportFile &f = r.files[i];
        files += QStringLiteral("  ") + f.name.leftJustified(width) + QStringLiteral("  ") + grouped(f.rows).rightJustified(10) +
                 QStringLiteral(" rows, ") + grouped(qint64(f.batches.size())) + QStringLiteral(" batches, about ") +
                 QString::number(f.expectedSeconds, 'f', 0) + QStringLiteral(" s of server work: ") + contentsOf(f, plan) +
                 QLatin1Char('\n');
        if (!how[i].sf.isEmpty())
            sf += QStringLiteral("  ") + how[i].sf + (several ? QStringLiteral(" &\n") : QStringLiteral("\n"));
    }
    dataLoader = QStringLiteral("  ") +
                 (several ? instructionsFor(plan, file, r.files.front().serial, externalId, QStringLiteral("FILE")).dataLoader +
                                QStringLiteral("\n  One Data Loader run per file, all at the same time (plan.json has the line of each file).\n")
                          : how.front().dataLoader + QLatin1Char('\n'));
    if (sf.isEmpty())
        sf = QStringLiteral("  (none: ") + how.front().sfUnavailable + QStringLiteral(")\n");
    else if (several)
        sf += QStringLiteral("  wait\n");
    QString text = QStringLiteral("Lockstep plan export of ") + file.fileName() + QStringLiteral(": ") + grouped(r.rows) +
                   QStringLiteral(" rows, ") + plan.object + QLatin1Char(' ') + operationName(plan.operation) + QStringLiteral(", ") +
                   plan.mitigation.label() + QStringLiteral(" over ") + apiLabel(plan.api) +
                   QStringLiteral(".\nWritten by lockstep-cli export-plan; plan.json says the same for programs.\n\nHOW TO RUN\n") +
                   howToRun(plan, r.files) + QStringLiteral("\n\nFILES (one step: ") +
                   (several ? QStringLiteral("all of them together") : QStringLiteral("one file")) + QStringLiteral(")\n") + files +
                   QStringLiteral("\nSALESFORCE CLI (add --target-org ALIAS)\n") + sf + QStringLiteral("\nDATA LOADER\n") + dataLoader;
    if (!r.sharedParents.empty()) {
        text += QStringLiteral("\nPARENTS IN MORE THAN ONE FILE\n");
        for (const SharedParent &s : r.sharedParents)
            text += QStringLiteral("  ") + s.parent + QStringLiteral(" (") + grouped(s.rows) + QStringLiteral(" rows) in ") +
                    s.files.join(QStringLiteral(", ")) + QStringLiteral(": ") + s.why + QLatin1Char('\n');
    }
    const QStringList notes = exportNotes(plan, file);
    if (!notes.isEmpty())
        text += QStringLiteral("\nNOTES\n  - ") + notes.join(QStringLiteral("\n  - ")) + QLatin1Char('\n');
    text += QStringLiteral("\nEvery row of the source is in exactly one file, byte for byte as the source has it (header, "
                           "quoting, delimiter, line ends).\n");
    return text;
}

// Every row exactly once: the planner promises it; an export that broke it would lose data.
Result<void> checkPlanCoversFile(const LoadFile &file, const LockKeys &keys, const Plan &plan)
{
    const qint64 rows = file.rowCount();
    if (!file.scanned() || keys.rowCount() != rows || plan.rowCount() != rows)
        return fail(ErrorKind::Internal, QStringLiteral("the plan has %1 rows and the file %2: a plan exports only the file it was made for")
                                             .arg(plan.rowCount())
                                             .arg(rows),
                    file.path());
    std::vector<bool> seen(size_t(rows), false);
    for (const auto r : plan.rows) {
        if (r >= rows || seen[r])
            return fail(ErrorKind::Internal,
                        QStringLiteral("the plan sends file row %1 twice or has a row the file has not").arg(qint64(r) + 1), file.path());
        seen[r] = true;
    }
    return {};
}

} // namespace

Result<PlanExportResult> PlanExport::write(const LoadFile &file, const LockKeys &keys, const Plan &plan,
                                           const PlanExportOptions &options, const Progress &progress)
{
    if (auto covered = checkPlanCoversFile(file, keys, plan); !covered)
        return std::unexpected(covered.error());
    if (auto certain = checkRowsAreCertain(file); !certain)
        return std::unexpected(certain.error());
    if (options.directory.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("no output folder given"));

    PlanExportResult result;
    QDir dir(options.directory);
    if (!dir.mkpath(QStringLiteral(".")))
        return fail(ErrorKind::Io, QStringLiteral("cannot create the folder %1").arg(options.directory), options.directory);
    result.directory = dir.absolutePath();
    result.manifestPath = dir.filePath(manifestName());
    result.readmePath = dir.filePath(QStringLiteral("README.txt"));
    auto previous = previousFiles(result.manifestPath);
    if (!previous)
        return std::unexpected(previous.error());
    // Until the new manifest is written the folder holds none: an export cut short is never
    // mistaken for a complete one.
    if (QFile::exists(result.manifestPath) && !QFile::remove(result.manifestPath))
        return fail(ErrorKind::Io, QStringLiteral("cannot replace %1").arg(result.manifestPath), result.manifestPath);

    result.files = layout(plan, options.maxFiles);
    if (result.files.empty())
        return fail(ErrorKind::Usage, QStringLiteral("the plan has no batches: there is nothing to export"));
    nameFiles(result.files, file, plan);
    KeyFiles keyFiles(keys.keyCount());
    if (auto written = writeFiles(file, keys, plan, dir, options.sliceBytes, result.files, keyFiles, progress); !written)
        return std::unexpected(written.error());
    for (const ExportFile &f : result.files)
        result.rows += f.rows;
    result.sharedParents = sharedParentsOf(keyFiles, keys, plan, result.files);

    const QString externalId = externalIdOf(plan, options);
    std::vector<LoadInstructions> how;
    for (const ExportFile &f : result.files)
        how.push_back(instructionsFor(plan, file, f.serial, externalId, f.name));
    result.manifest = manifestOf(result, file, plan, externalId, how);
    if (auto r = saveText(result.readmePath, readmeOf(result, file, plan, externalId, how).toUtf8()); !r)
        return std::unexpected(r.error());
    if (auto r = saveText(result.manifestPath, QJsonDocument(result.manifest).toJson(QJsonDocument::Indented)); !r)
        return std::unexpected(r.error());

    // Files of the previous export that this one did not rewrite.
    QSet<QString> current;
    for (const ExportFile &f : result.files)
        current.insert(f.name);
    for (const QString &name : *previous)
        if (!current.contains(name))
            QFile::remove(dir.filePath(name));
    return result;
}

} // namespace lockstep
