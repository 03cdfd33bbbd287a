#include "load/LoadFile.h"

#include "common/Hash.h"
#include "load/CsvScanner.h"
#include "load/SalesforceId.h"
#include "load/Utf8.h"

#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace lockstep {

namespace {

constexpr std::uint64_t kSniffBytes = 64 * 1024;
constexpr std::uint64_t kReleaseEvery = 4 * 1024 * 1024;

QString shortValue(std::string_view v)
{
    QString s = QString::fromUtf8(v.data(), qsizetype(std::min<size_t>(v.size(), 40)));
    if (v.size() > 40)
        s += QStringLiteral("…");
    return s;
}

QString describeObjectOfPrefix(std::string_view prefix)
{
    const QString object = KeyPrefixes::objectFor(prefix);
    return object.isEmpty() ? QStringLiteral("an Id with prefix %1").arg(QLatin1String(prefix.data(), 3))
                            : QStringLiteral("a %1 Id (prefix %2)").arg(object, QLatin1String(prefix.data(), 3));
}

// Duplicate detection over 10 million Ids without a 10-million-entry hash table: every chunk
// partitions its hashes by their top bits (in parallel, right after its scan), then each bucket
// — a few thousand hashes from all chunks — is checked with a small table that stays in cache.
constexpr int kBucketBits = 12;
constexpr size_t kBuckets = size_t(1) << kBucketBits;

struct PartitionedHashes {
    std::vector<std::uint64_t> hashes;
    std::vector<std::uint32_t> bucketStart;   // kBuckets + 1
};

PartitionedHashes partitionHashes(const std::vector<std::uint64_t> &hashes)
{
    PartitionedHashes p;
    p.bucketStart.assign(kBuckets + 1, 0);
    for (auto h : hashes)
        if (h)
            ++p.bucketStart[(h >> (64 - kBucketBits)) + 1];
    for (size_t i = 1; i <= kBuckets; ++i)
        p.bucketStart[i] += p.bucketStart[i - 1];
    p.hashes.resize(p.bucketStart[kBuckets]);
    std::vector<std::uint32_t> fill(p.bucketStart.begin(), p.bucketStart.end() - 1);
    for (auto h : hashes)
        if (h)
            p.hashes[fill[h >> (64 - kBucketBits)]++] = h;
    return p;
}

// Everything one worker learns about its chunk; merged in file order afterwards.
struct ChunkOutput {
    std::uint64_t from = 0;
    csv::ScanResult scan;
    std::vector<std::uint64_t> rowStarts;
    std::vector<std::uint8_t> flags;
    std::vector<std::uint64_t> checkpoints;
    std::vector<std::uint64_t> idHashes;   // per row, 0 = no Id
    PartitionedHashes partitioned;
    ProblemList problems;
    std::unique_ptr<RowSink> sink;
    bool multiline = false;
};

struct PreparedCheck {
    int slot = -1;
    IdColumnCheck check;
    std::vector<std::array<char, 3>> prefixes;
};

// Runs the scanner over one chunk and applies the per-row checks.
class ChunkWorker {
public:
    ChunkWorker(const LoadFile &file, const char *data, std::uint64_t size, const QStringList &header,
                const std::vector<int> &captureColumns, const std::vector<PreparedCheck> &checks, int duplicateSlot,
                const std::vector<int> &sinkSlots, ChunkOutput &out)
        : m_file(file), m_data(data), m_size(size), m_header(header), m_capture(captureColumns), m_checks(checks),
          m_duplicateSlot(duplicateSlot), m_sinkSlots(sinkSlots), m_out(out)
    {
        m_values.resize(m_capture.size());
        m_scratch.resize(m_capture.size());
        m_canonical.resize(m_capture.size());
        m_sinkValues.resize(m_sinkSlots.size());
        m_checkBySlot.assign(m_capture.size(), nullptr);
        for (const auto &c : m_checks)
            m_checkBySlot[size_t(c.slot)] = &c;
    }

    bool onRecord(const csv::RecordInfo &rec)
    {
        const qint64 localRow = qint64(m_out.rowStarts.size());
        m_out.rowStarts.push_back(rec.begin);
        if (localRow % 4096 == 0)
            m_out.checkpoints.push_back(rec.lineIndex);
        std::uint8_t flags = 0;
        const qint64 line = qint64(rec.lineIndex) + 1;
        const qint64 row = localRow + 1;
        m_out.multiline |= rec.multiline;

        if (rec.badQuoteField >= 0) {
            flags |= RowFlag::BadStructure;
            addProblem(ProblemCode::MalformedQuote, line, row, rec.badQuoteField, [&] {
                return QStringLiteral("field %1 (%2) has a quote character outside a quoted field or an undoubled "
                                      "quote inside one; enclose the field in quotes and double inner quotes (\"\")")
                    .arg(rec.badQuoteField + 1)
                    .arg(columnName(rec.badQuoteField));
            });
        }
        const qsizetype fieldCount = qsizetype(rec.fieldCount());
        if (fieldCount != m_header.size()) {
            flags |= RowFlag::BadStructure;
            addProblem(ProblemCode::RaggedRow, line, row, -1, [&] {
                return QStringLiteral("%1 field%2, but the header has %3%4")
                    .arg(fieldCount)
                    .arg(fieldCount == 1 ? "" : "s")
                    .arg(m_header.size())
                    .arg(fieldCount > m_header.size()
                             ? QStringLiteral(" (an unquoted delimiter inside a value?)")
                             : QStringLiteral(" (a value with a line break that is not quoted?)"));
            });
        }
        if (rec.hasNul) {
            flags |= RowFlag::BadStructure;
            addProblem(ProblemCode::NulByte, line, row, -1,
                       [] { return QStringLiteral("contains a NUL byte (binary data in a text file)"); });
        }
        if (rec.nonAscii) {
            // Only the span between the first and last non-ASCII byte can be invalid (plus the
            // continuation bytes a last lead byte needs).
            const std::uint64_t spanEnd = std::min(rec.end, rec.lastHigh + 4);
            const std::string_view text(m_data + rec.firstHigh, size_t(spanEnd > rec.firstHigh ? spanEnd - rec.firstHigh : 0));
            const size_t bad = firstInvalidUtf8(text);
            if (bad != std::string_view::npos) {
                flags |= RowFlag::BadStructure;
                const int column = fieldOf(rec, rec.firstHigh + bad);
                addProblem(ProblemCode::InvalidUtf8, line, row, column, [&] {
                    return QStringLiteral("byte 0x%1 in %2 is not valid UTF-8; the file may be saved as "
                                          "Windows-1252/Latin-1 — save it as CSV UTF-8")
                        .arg(unsigned(static_cast<unsigned char>(text[bad])), 2, 16, QLatin1Char('0'))
                        .arg(columnName(column));
                });
            }
        }

        for (size_t slot = 0; slot < m_capture.size(); ++slot) {
            const int column = m_capture[slot];
            std::string_view value;
            if (size_t(column) < rec.fieldCount()) {
                const std::uint64_t b = rec.fieldBegin(size_t(column));
                const std::uint64_t e = rec.fieldEnds[size_t(column)];
                value = csv::decodeField(std::string_view(m_data + b, size_t(e - b)), '"', m_scratch[slot]);
            }
            if (const PreparedCheck *check = m_checkBySlot[slot])
                value = checkId(*check, value, line, row, flags, slot);
            m_values[slot] = value;
        }
        if (m_duplicateSlot >= 0) {
            const std::string_view id = m_values[size_t(m_duplicateSlot)];
            m_out.idHashes.push_back(id.empty() ? 0 : hashBytes(id) | 1);
        }
        m_out.flags.push_back(flags);
        if (m_out.sink) {
            for (size_t i = 0; i < m_sinkSlots.size(); ++i)
                m_sinkValues[i] = m_values[size_t(m_sinkSlots[i])];
            m_out.sink->row(m_sinkValues);
        }
        return true;
    }

private:
    template <class MakeMessage>
    void addProblem(ProblemCode code, qint64 line, qint64 row, int column, MakeMessage &&make)
    {
        if (m_out.problems.limitReached()) {
            m_out.problems.count(code);
            return;
        }
        m_out.problems.add(Problem{defaultSeverity(code), code, line, row, column, make()});
    }

    QString columnName(int column) const
    {
        return column >= 0 && column < m_header.size() ? m_header[column] : QStringLiteral("column %1").arg(column + 1);
    }

    static int fieldOf(const csv::RecordInfo &rec, std::uint64_t offset)
    {
        for (size_t i = 0; i < rec.fieldCount(); ++i)
            if (offset < rec.fieldEnds[i])
                return int(i);
        return int(rec.fieldCount()) - 1;
    }

    std::string_view checkId(const PreparedCheck &check, std::string_view value, qint64 line, qint64 row,
                             std::uint8_t &flags, size_t slot)
    {
        const int column = check.check.column;
        if (value.empty()) {
            if (check.check.required) {
                flags |= RowFlag::BadId;
                addProblem(ProblemCode::MissingId, line, row, column, [&] {
                    return QStringLiteral("%1 is empty; this operation needs %2").arg(columnName(column), check.check.expected);
                });
            }
            return {};
        }
        auto &canonical = m_canonical[slot];
        bool restored = false;
        const auto result = SalesforceId::validateForScan(value, canonical, restored);
        if (result != SalesforceId::Check::Ok) {
            flags |= RowFlag::BadId;
            addProblem(ProblemCode::BadId, line, row, column, [&] {
                // The column is expected to hold Ids because of its name or the user's mapping: say
                // which, so a column mapped wrongly is recognised as such.
                return QStringLiteral("%1 '%2' is not a valid Salesforce Id (%1 should hold %3): it %4")
                    .arg(columnName(column), shortValue(value), check.check.expected, SalesforceId::describe(result));
            });
            return {};
        }
        const std::string_view id = restored ? std::string_view(canonical.data(), 15) : value.substr(0, 15);
        if (!check.prefixes.empty()) {
            bool ok = false;
            for (const auto &p : check.prefixes)
                ok |= std::memcmp(p.data(), id.data(), 3) == 0;
            if (!ok) {
                flags |= RowFlag::BadId;
                addProblem(ProblemCode::WrongIdPrefix, line, row, column, [&] {
                    return QStringLiteral("%1 '%2' is %3, but it must be %4")
                        .arg(columnName(column), shortValue(value), describeObjectOfPrefix(id.substr(0, 3)),
                             check.check.expected);
                });
                return {};
            }
        }
        return id;
    }

    const LoadFile &m_file;
    const char *m_data;
    std::uint64_t m_size;
    const QStringList &m_header;
    const std::vector<int> &m_capture;
    const std::vector<PreparedCheck> &m_checks;
    int m_duplicateSlot;
    const std::vector<int> &m_sinkSlots;
    ChunkOutput &m_out;
    std::vector<std::string_view> m_values;
    std::vector<std::string_view> m_sinkValues;
    std::vector<std::string> m_scratch;
    std::vector<std::array<char, 15>> m_canonical;
    std::vector<const PreparedCheck *> m_checkBySlot;
};

std::vector<std::uint64_t> duplicateHashes(const std::vector<PartitionedHashes> &parts)
{
    std::mutex mutex;
    std::vector<std::uint64_t> duplicates;
    auto work = [&](size_t from, size_t to) {
        std::vector<std::uint64_t> local, table;
        for (size_t b = from; b < to; ++b) {
            size_t count = 0;
            for (const auto &p : parts)
                count += p.bucketStart[b + 1] - p.bucketStart[b];
            if (count < 2)
                continue;
            size_t tableSize = 16;
            while (tableSize < count * 2)
                tableSize *= 2;
            table.assign(tableSize, 0);
            const size_t mask = tableSize - 1;
            for (const auto &p : parts) {
                for (std::uint32_t i = p.bucketStart[b]; i < p.bucketStart[b + 1]; ++i) {
                    const std::uint64_t h = p.hashes[i];
                    size_t slot = size_t(h) & mask;
                    while (table[slot] && table[slot] != h)
                        slot = (slot + 1) & mask;
                    if (table[slot] == h)
                        local.push_back(h);
                    else
                        table[slot] = h;
                }
            }
        }
        std::lock_guard lock(mutex);
        duplicates.insert(duplicates.end(), local.begin(), local.end());
    };
    size_t total = 0;
    for (const auto &p : parts)
        total += p.hashes.size();
    const size_t threads = total > 1'000'000 ? 2 : 1;
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(work, kBuckets * t / threads, kBuckets * (t + 1) / threads);
    work(0, kBuckets / threads);
    for (auto &t : pool)
        t.join();
    std::sort(duplicates.begin(), duplicates.end());
    duplicates.erase(std::unique(duplicates.begin(), duplicates.end()), duplicates.end());
    return duplicates;
}

} // namespace

Result<LoadFile> LoadFile::open(const QString &path, const LoadOptions &options)
{
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return std::unexpected(mapped.error());
    LoadFile file;
    file.m_path = path;
    file.m_file = *mapped;
    file.m_problems = ProblemList(options.problemLimit);
    const std::uint64_t size = file.m_file->size();
    if (size == 0)
        return fail(ErrorKind::BadData, QStringLiteral("the file is empty: expected a header line and data rows"), path);

    const std::string_view head(file.m_file->data(), size_t(std::min(size, kSniffBytes)));
    if (options.dialect) {
        file.m_dialect = *options.dialect;
        if (head.starts_with("\xEF\xBB\xBF"))
            file.m_dialect.bomLength = 3;
    } else {
        auto dialect = sniffDialect(head, path);
        if (!dialect)
            return std::unexpected(dialect.error());
        file.m_dialect = *dialect;
    }

    const char *data = file.m_file->data();
    // Header: the first record.
    bool gotHeader = false;
    std::string scratch;
    auto headerScan = csv::scanRecords(
        data, size, std::uint64_t(file.m_dialect.bomLength), std::uint64_t(file.m_dialect.bomLength) + 1,
        file.m_dialect,
        [&](const csv::RecordInfo &rec) {
            gotHeader = true;
            for (size_t i = 0; i < rec.fieldCount(); ++i) {
                const std::uint64_t b = rec.fieldBegin(i);
                const std::string_view raw(data + b, size_t(rec.fieldEnds[i] - b));
                const std::string_view v = csv::decodeField(raw, file.m_dialect.quote, scratch);
                file.m_header << QString::fromUtf8(v.data(), qsizetype(v.size())).trimmed();
            }
            if (rec.badQuoteField >= 0)
                file.m_problems.add({Severity::Error, ProblemCode::MalformedQuote, 1, 0, rec.badQuoteField,
                                     QStringLiteral("the header's field %1 has malformed quoting").arg(rec.badQuoteField + 1)});
            return true;
        },
        [](std::uint64_t) {});
    if (headerScan.unterminatedQuote)
        return fail(ErrorKind::BadData,
                    QStringLiteral("unterminated quote in the header: a quoted field opened on this line is never closed"),
                    path, 1);
    if (!gotHeader)
        return fail(ErrorKind::BadData, QStringLiteral("the file has no header line (only blank lines)"), path, 1);
    file.m_dataBegin = headerScan.end;
    file.m_dataEnd = size;
    file.m_headerLines = qint64(headerScan.newlines) > 0 ? qint64(headerScan.newlines) : 1;
    file.checkHeader();

    // Sample rows for column roles.
    csv::scanRecords(
        data, size, file.m_dataBegin, size, file.m_dialect,
        [&](const csv::RecordInfo &rec) {
            QStringList row;
            row.reserve(qsizetype(rec.fieldCount()));
            for (size_t i = 0; i < rec.fieldCount(); ++i) {
                const std::uint64_t b = rec.fieldBegin(i);
                const std::string_view v = csv::decodeField(
                    std::string_view(data + b, size_t(rec.fieldEnds[i] - b)), file.m_dialect.quote, scratch);
                row << QString::fromUtf8(v.data(), qsizetype(v.size()));
            }
            file.m_sample.push_back(std::move(row));
            return int(file.m_sample.size()) < options.sampleRows;
        },
        [](std::uint64_t) {});
    if (file.m_sample.empty()) {
        const qint64 nextLine = file.m_headerLines + 1;
        if (file.m_dataBegin < size && csv::countQuotes(data, file.m_dataBegin, size, file.m_dialect.quote) % 2)
            return fail(ErrorKind::BadData,
                        QStringLiteral("unterminated quote: a quoted field opened on this line is never closed"), path,
                        nextLine);
        return fail(ErrorKind::BadData, QStringLiteral("the file has a header but no data rows"), path, nextLine);
    }
    return file;
}

QString LoadFile::fileName() const
{
    return QFileInfo(m_path).fileName();
}

int LoadFile::columnIndex(const QString &name) const
{
    for (int i = 0; i < m_header.size(); ++i)
        if (m_header[i].compare(name, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

void LoadFile::checkHeader()
{
    QHash<QString, int> seen;
    for (int i = 0; i < m_header.size(); ++i) {
        const QString name = m_header[i];
        if (name.isEmpty()) {
            m_problems.add({Severity::Warning, ProblemCode::EmptyColumnName, 1, 0, i,
                            QStringLiteral("column %1 has no name; it cannot be mapped to a field").arg(i + 1)});
            continue;
        }
        const QString key = name.toLower();
        if (seen.contains(key)) {
            m_problems.add({Severity::Error, ProblemCode::DuplicateColumn, 1, 0, i,
                            QStringLiteral("column %1 '%2' repeats column %3 '%4' (Salesforce field names are "
                                           "case-insensitive; the Bulk API rejects a batch with a duplicate field)")
                                .arg(i + 1)
                                .arg(name)
                                .arg(seen.value(key) + 1)
                                .arg(m_header[seen.value(key)])});
        } else {
            seen.insert(key, i);
        }
    }
}

Result<void> LoadFile::scan(const ScanOptions &options, const Progress &progress)
{
    const char *data = m_file->data();
    const std::uint64_t size = m_file->size();
    const std::uint64_t dataBytes = size - m_dataBegin;

    // Columns to capture: what the sink wants plus what we validate.
    std::vector<int> capture;
    auto slotOf = [&](int column) {
        auto it = std::find(capture.begin(), capture.end(), column);
        if (it != capture.end())
            return int(it - capture.begin());
        capture.push_back(column);
        return int(capture.size() - 1);
    };
    std::vector<PreparedCheck> checks;
    for (const auto &c : options.idChecks) {
        if (c.column < 0 || c.column >= columnCount())
            continue;
        PreparedCheck p;
        p.slot = slotOf(c.column);
        p.check = c;
        for (const auto &prefix : c.keyPrefixes) {
            const QByteArray b = prefix.toLatin1();
            if (b.size() == 3)
                p.prefixes.push_back({b[0], b[1], b[2]});
        }
        checks.push_back(std::move(p));
    }
    const int duplicateSlot = options.duplicateIdColumn >= 0 && options.duplicateIdColumn < columnCount()
                                  ? slotOf(options.duplicateIdColumn)
                                  : -1;
    std::vector<int> sinkSlots;
    if (options.sink)
        for (int column : options.sink->columns())
            sinkSlots.push_back(column >= 0 && column < columnCount() ? slotOf(column) : slotOf(column));

    // Chunks: one per thread, each at least a few MB.
    int threads = options.threads > 0 ? options.threads : int(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    const int chunks = int(std::max<std::uint64_t>(1, std::min<std::uint64_t>(std::uint64_t(threads), dataBytes / std::max<std::uint64_t>(1, options.minChunkBytes))));
    std::vector<std::uint64_t> bounds(static_cast<size_t>(chunks) + 1);
    for (int k = 0; k <= chunks; ++k)
        bounds[size_t(k)] = m_dataBegin + dataBytes * std::uint64_t(k) / std::uint64_t(chunks);
    if (options.releasePages)
        m_file->adviseSequential();

    // Quote parity at each boundary tells whether a chunk starts inside a quoted field.
    std::vector<std::uint64_t> quotes(static_cast<size_t>(chunks), 0);
    {
        std::vector<std::thread> pool;
        for (int k = 0; k + 1 < chunks; ++k)
            pool.emplace_back([&, k] {
                // Counting maps every page of the chunk: give them back as it goes, or a two-chunk
                // scan holds half the file resident before it starts (the scan reads them again
                // from the page cache).
                const std::uint64_t step = options.releasePages ? kReleaseEvery : bounds[size_t(k) + 1] - bounds[size_t(k)];
                for (std::uint64_t at = bounds[size_t(k)]; at < bounds[size_t(k) + 1]; at += step) {
                    const std::uint64_t end = std::min(at + step, bounds[size_t(k) + 1]);
                    quotes[size_t(k)] += csv::countQuotes(data, at, end, m_dialect.quote);
                    if (options.releasePages)
                        m_file->release(at, end - at);
                }
            });
        for (auto &t : pool)
            t.join();
    }
    std::vector<std::uint64_t> starts(static_cast<size_t>(chunks));
    std::uint64_t parity = 0;
    for (int k = 0; k < chunks; ++k) {
        starts[size_t(k)] = k == 0 ? m_dataBegin
                                   : csv::findRecordStart(data, size, bounds[size_t(k)], parity & 1, m_dialect);
        parity += quotes[size_t(k)];
    }

    std::uint64_t sampleBytes = 0;
    for (const auto &row : m_sample)
        for (const auto &field : row)
            sampleBytes += std::uint64_t(field.size()) + 1;
    const std::uint64_t bytesPerRow = std::max<std::uint64_t>(8, m_sample.empty() ? 64 : sampleBytes / m_sample.size());
    std::vector<ChunkOutput> outputs(static_cast<size_t>(chunks));
    std::atomic<std::uint64_t> bytesDone{0};
    std::mutex progressMutex;
    const QString phase = QStringLiteral("Reading %1").arg(fileName());
    auto runChunk = [&](int k) {
        ChunkOutput &out = outputs[size_t(k)];
        out.from = starts[size_t(k)];
        const std::uint64_t stopAt = bounds[size_t(k) + 1];
        if (options.sink)
            out.sink = options.sink->createSink();
        if (out.from >= stopAt || out.from >= size) {
            // No row starts in this chunk (one row longer than a chunk: an 8 MB field on two
            // threads). It still takes part in the duplicate search, with no hashes.
            out.scan.end = out.from;
            if (duplicateSlot >= 0)
                out.partitioned = partitionHashes(out.idHashes);
            return;
        }
        // Reserve from the sample's bytes per row, so 10 million row offsets are not re-copied.
        const std::uint64_t expectedRows = (stopAt - out.from) / bytesPerRow + 1024;
        out.rowStarts.reserve(size_t(expectedRows + expectedRows / 8));
        out.flags.reserve(size_t(expectedRows + expectedRows / 8));
        if (duplicateSlot >= 0)
            out.idHashes.reserve(size_t(expectedRows + expectedRows / 8));
        ChunkWorker worker(*this, data, size, m_header, capture, checks, duplicateSlot, sinkSlots, out);
        std::uint64_t position = out.from;
        std::uint64_t released = out.from;
        out.scan = csv::scanRecords(
            data, size, out.from, stopAt, m_dialect, [&](const csv::RecordInfo &rec) { return worker.onRecord(rec); },
            [&](std::uint64_t bytes) {
                position += bytes;
                const std::uint64_t done = bytesDone.fetch_add(bytes, std::memory_order_relaxed) + bytes;
                if (options.releasePages && position > released + kReleaseEvery) {
                    m_file->release(released, position - released - 65536);
                    released = position - 65536;
                }
                if (progress.report) {
                    std::lock_guard lock(progressMutex);
                    progress(qint64(std::min(done, dataBytes)), qint64(dataBytes), phase);
                }
            },
            &progress.cancel);
        if (options.releasePages && out.scan.end > released)
            m_file->release(released, out.scan.end - released);
        if (duplicateSlot >= 0)
            out.partitioned = partitionHashes(out.idHashes);
    };
    {
        std::vector<std::thread> pool;
        for (int k = 1; k < chunks; ++k)
            pool.emplace_back(runChunk, k);
        runChunk(0);
        for (auto &t : pool)
            t.join();
    }
    if (progress.cancelled())
        return fail(ErrorKind::Cancelled, QStringLiteral("cancelled while reading"), m_path);
    if (m_file->wasTruncated())
        return fail(ErrorKind::Io,
                    QStringLiteral("the file was cut short while it was read (it had %1 bytes, now %2): another program is "
                                   "writing or replacing it; read it again once that has finished")
                        .arg(size)
                        .arg(QFileInfo(m_path).size()),
                    m_path);

    // Merge in file order.
    qint64 rows = 0;
    for (const auto &o : outputs)
        rows += qint64(o.rowStarts.size());
    m_rowCount = rows;
    std::vector<std::vector<std::uint64_t>> idHashes;
    std::vector<PartitionedHashes> partitioned;
    m_chunks.clear();
    m_simpleLines = m_headerLines == 1;
    qint64 lineBase = m_headerLines + 1;
    qint64 firstRow = 0;
    qint64 blankLines = 0;
    std::vector<std::unique_ptr<RowSink>> sinks;
    for (auto &o : outputs) {
        m_problems.append(o.problems, firstRow, lineBase - 1);
        const qint64 chunkRows = qint64(o.rowStarts.size());
        if (chunkRows > 0)
            m_chunks.push_back({firstRow, lineBase, std::move(o.rowStarts), std::move(o.flags), std::move(o.checkpoints)});
        idHashes.push_back(std::move(o.idHashes));
        partitioned.push_back(std::move(o.partitioned));
        m_simpleLines = m_simpleLines && !o.multiline && o.scan.blankLines == 0;
        blankLines += qint64(o.scan.blankLines);
        if (o.scan.unterminatedQuote) {
            m_dataEnd = o.scan.unterminatedBegin;
            m_problems.add({Severity::Error, ProblemCode::UnterminatedQuote,
                            lineBase + qint64(o.scan.unterminatedLineIndex), firstRow + chunkRows + 1, -1,
                            QStringLiteral("a quoted field that starts on this line is never closed; the rest of the "
                                           "file (%1 bytes) could not be read as rows")
                                .arg(size - o.scan.unterminatedBegin)});
        }
        lineBase += qint64(o.scan.newlines);
        firstRow += chunkRows;
        if (o.sink)
            sinks.push_back(std::move(o.sink));
    }
    if (blankLines > 0)
        m_problems.add({Severity::Warning, ProblemCode::BlankLines, 0, 0, -1,
                        QStringLiteral("%1 blank line(s) skipped").arg(blankLines)},
                       blankLines);
    if (options.sink)
        options.sink->finish(std::move(sinks));
    if (duplicateSlot >= 0)
        findDuplicateIds(options.duplicateIdColumn, idHashes, duplicateHashes(partitioned));
    m_problems.sortByLine();
    m_scanned = true;
    if (rows == 0)
        return fail(ErrorKind::BadData, QStringLiteral("the file has a header but no readable data rows"), m_path,
                    m_headerLines + 1);
    return {};
}

void LoadFile::findDuplicateIds(int column, const std::vector<std::vector<std::uint64_t>> &hashesPerChunk,
                                const std::vector<std::uint64_t> &duplicates)
{
    if (duplicates.empty())
        return;
    // Rows whose hash repeats, grouped by the exact canonical Id (a hash match is not proof).
    QHash<QString, qint64> firstRowOfId;
    qint64 row = 0;
    for (const auto &hashes : hashesPerChunk) {
        for (size_t i = 0; i < hashes.size(); ++i, ++row) {
            if (!hashes[i] || !std::binary_search(duplicates.begin(), duplicates.end(), hashes[i]))
                continue;
            const QStringList f = fields(row);
            if (column >= f.size())
                continue;
            const QByteArray raw = f[column].toLatin1();
            std::array<char, 15> canonical{};
            if (SalesforceId::validate(std::string_view(raw.constData(), size_t(raw.size())), &canonical) !=
                SalesforceId::Check::Ok)
                continue;
            const QString id = QString::fromLatin1(canonical.data(), 15);
            const auto it = firstRowOfId.constFind(id);
            if (it == firstRowOfId.cend()) {
                firstRowOfId.insert(id, row);
                continue;
            }
            ChunkInfo &chunk = chunkOf(row);
            chunk.flags[size_t(row - chunk.firstRow)] |= RowFlag::DuplicateId;
            m_problems.add({Severity::Error, ProblemCode::DuplicateId, lineOfRow(row), row + 1, column,
                            QStringLiteral("%1 %2 already appears on row %3 (line %4): in one batch Salesforce "
                                           "rejects it (duplicate id in list); in two, the later update overwrites "
                                           "the earlier")
                                .arg(m_header[column], SalesforceId::to18(raw.toStdString()))
                                .arg(it.value() + 1)
                                .arg(lineOfRow(it.value()))});
        }
    }
}

qint64 LoadFile::rowsWithFlag(std::uint8_t flag) const
{
    qint64 n = 0;
    for (const auto &c : m_chunks)
        n += std::count_if(c.flags.begin(), c.flags.end(), [flag](std::uint8_t f) { return f & flag; });
    return n;
}

const LoadFile::ChunkInfo &LoadFile::chunkOf(qint64 row) const
{
    auto it = std::upper_bound(m_chunks.begin(), m_chunks.end(), row,
                               [](qint64 r, const ChunkInfo &c) { return r < c.firstRow; });
    return *(it - 1);
}

std::uint64_t LoadFile::rowStart(qint64 row) const
{
    const ChunkInfo &c = chunkOf(row);
    return c.rowStarts[size_t(row - c.firstRow)];
}

std::uint8_t LoadFile::rowFlags(qint64 row) const
{
    const ChunkInfo &c = chunkOf(row);
    return c.flags[size_t(row - c.firstRow)];
}

std::pair<std::uint64_t, std::uint64_t> LoadFile::recordExtent(qint64 row) const
{
    return {rowStart(row), row + 1 < m_rowCount ? rowStart(row + 1) : m_dataEnd};
}

void LoadFile::releaseRows(qint64 first, qint64 end) const
{
    if (!m_file || first >= end || first < 0 || end > m_rowCount)
        return;
    const std::uint64_t begin = rowStart(first);
    const std::uint64_t stop = end < m_rowCount ? rowStart(end) : m_dataEnd;
    m_file->release(begin, stop - begin);
}

std::string_view LoadFile::rawHeader() const
{
    const char *data = m_file->data();
    const std::uint64_t begin = std::uint64_t(m_dialect.bomLength);
    std::uint64_t end = std::max(begin, m_dataBegin);
    while (end > begin && (data[end - 1] == '\n' || data[end - 1] == '\r'))
        --end;
    return std::string_view(data + begin, size_t(end - begin));
}

std::string_view LoadFile::rawRecord(qint64 row) const
{
    const std::uint64_t begin = rowStart(row);
    std::uint64_t end = row + 1 < m_rowCount ? rowStart(row + 1) : m_dataEnd;
    const char *data = m_file->data();
    while (end > begin && (data[end - 1] == '\n' || data[end - 1] == '\r'))
        --end;
    return std::string_view(data + begin, size_t(end - begin));
}

QStringList LoadFile::fields(qint64 row) const
{
    QStringList out;
    if (row < 0 || row >= rowCount())
        return out;
    const std::string_view raw = rawRecord(row);
    const std::uint64_t begin = std::uint64_t(raw.data() - m_file->data());
    const std::uint64_t end = begin + raw.size();
    std::string scratch;
    const char *data = m_file->data();
    csv::scanRecords(
        data, end, begin, begin + 1, m_dialect,
        [&](const csv::RecordInfo &rec) {
            for (size_t i = 0; i < rec.fieldCount(); ++i) {
                const std::uint64_t b = rec.fieldBegin(i);
                const std::string_view v =
                    csv::decodeField(std::string_view(data + b, size_t(rec.fieldEnds[i] - b)), m_dialect.quote, scratch);
                out << QString::fromUtf8(v.data(), qsizetype(v.size()));
            }
            return false;
        },
        [](std::uint64_t) {});
    if (out.isEmpty())
        out << QString();
    return out;
}

void LoadFile::forEachField(qint64 row, const std::function<void(int column, std::string_view value)> &visit) const
{
    if (row < 0 || row >= rowCount())
        return;
    const std::string_view raw = rawRecord(row);
    const std::uint64_t begin = std::uint64_t(raw.data() - m_file->data());
    std::string scratch;
    const char *data = m_file->data();
    csv::scanRecords(
        data, begin + raw.size(), begin, begin + 1, m_dialect,
        [&](const csv::RecordInfo &rec) {
            for (size_t i = 0; i < rec.fieldCount(); ++i) {
                const std::uint64_t b = rec.fieldBegin(i);
                visit(int(i), csv::decodeField(std::string_view(data + b, size_t(rec.fieldEnds[i] - b)), m_dialect.quote, scratch));
            }
            return false;
        },
        [](std::uint64_t) {});
}

qint64 LoadFile::lineOfRow(qint64 row) const
{
    if (m_simpleLines)
        return m_headerLines + 1 + row;
    if (m_chunks.empty() || row < 0 || row >= m_rowCount)
        return 0;
    const ChunkInfo *it = &chunkOf(row);
    const qint64 local = row - it->firstRow;
    const size_t k = size_t(local / kCheckpoint);
    if (k >= it->checkpoints.size())
        return m_headerLines + 1 + row;
    const qint64 baseRow = it->firstRow + qint64(k) * kCheckpoint;
    const std::uint64_t between =
        csv::countNewlines(m_file->data(), rowStart(baseRow), rowStart(row), m_dialect.newline);
    return it->lineBase + qint64(it->checkpoints[k] + between);
}

} // namespace lockstep
