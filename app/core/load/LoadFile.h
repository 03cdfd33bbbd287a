#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "load/ColumnRoles.h"
#include "load/CsvDialect.h"
#include "load/MappedFile.h"
#include "load/Problem.h"

#include <QStringList>

#include <functional>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace lockstep {

// Receives the values of chosen columns for every data row of one chunk, in file order, on the
// chunk's worker thread. Values are decoded (quotes removed); Id columns that LoadFile
// validates arrive as their canonical 15-character form, or empty when invalid. Views are only
// valid during the call.
class RowSink {
public:
    virtual ~RowSink() = default;
    virtual void row(std::span<const std::string_view> values) = 0;
};

// Creates one RowSink per chunk and combines them, in file order, when the scan is done.
class RowSinkFactory {
public:
    virtual ~RowSinkFactory() = default;
    virtual std::vector<int> columns() const = 0;
    virtual std::unique_ptr<RowSink> createSink() = 0;
    virtual void finish(std::vector<std::unique_ptr<RowSink>> sinksInFileOrder) = 0;
};

// A column whose values must be Salesforce Ids.
struct IdColumnCheck {
    int column = -1;
    QStringList keyPrefixes;   // allowed prefixes ("001"); empty = any
    bool required = false;     // an empty value is an error (the Id of an update)
    QString expected;          // for messages: "an Account Id"
};

struct LoadOptions {
    std::optional<CsvDialect> dialect;   // sniffed when absent
    int sampleRows = 1000;               // rows read up front to detect column roles
    qsizetype problemLimit = 10000;      // messages kept; every problem is still counted
};

struct ScanOptions {
    std::vector<IdColumnCheck> idChecks;
    int duplicateIdColumn = -1;          // report rows that repeat an Id in this column
    RowSinkFactory *sink = nullptr;
    int threads = 0;                     // 0 = one per core (at most 8)
    std::uint64_t minChunkBytes = 4 << 20;   // a thread gets at least this much (tests lower it)
    bool releasePages = true;            // give mapped pages back while scanning
};

// Row flags, per data row.
namespace RowFlag {
constexpr std::uint8_t BadStructure = 1;   // quoting, field count, NUL, encoding
constexpr std::uint8_t BadId = 2;          // an Id column failed validation
constexpr std::uint8_t DuplicateId = 4;
} // namespace RowFlag

// A delimited load file: header, dialect, where each data row starts — never copies of rows.
// open() reads the header and a sample; scan() reads every row once (in parallel), validating
// as it goes and feeding a RowSink, so the file is read a single time however many consumers.
class LoadFile {
public:
    static Result<LoadFile> open(const QString &path, const LoadOptions &options = {});

    Result<void> scan(const ScanOptions &options, const Progress &progress = {});

    const QString &path() const { return m_path; }
    QString fileName() const;
    std::uint64_t sizeBytes() const { return m_file ? m_file->size() : 0; }
    const CsvDialect &dialect() const { return m_dialect; }
    const QStringList &header() const { return m_header; }
    int columnCount() const { return int(m_header.size()); }
    int columnIndex(const QString &name) const;   // case-insensitive; -1 when absent
    const std::vector<QStringList> &sample() const { return m_sample; }

    bool scanned() const { return m_scanned; }
    qint64 rowCount() const { return m_rowCount; }
    std::uint8_t rowFlags(qint64 row) const;
    qint64 rowsWithFlag(std::uint8_t flag) const;

    // The header record as the file has it (no BOM, no line end): what a copy of the file keeps.
    std::string_view rawHeader() const;
    // Row access by 0-based index (after scan).
    std::string_view rawRecord(qint64 row) const;
    QStringList fields(qint64 row) const;
    // The row's fields as UTF-8 bytes of the file, quotes undone, without making strings of
    // them (the runner writes request bodies from these). A view lasts until the next call.
    void forEachField(qint64 row, const std::function<void(int column, std::string_view value)> &visit) const;
    // Where the row starts and where the next one does (the data's end after the last row): the
    // record, its line end and any blank lines after it. Reads no byte of the file.
    std::pair<std::uint64_t, std::uint64_t> recordExtent(qint64 row) const;
    // Gives back the mapped pages of rows [first, end): they are read again from the page cache
    // when touched, so a pass over a large file need not keep it resident.
    void releaseRows(qint64 first, qint64 end) const;
    qint64 lineOfRow(qint64 row) const;   // 1-based physical line where the row starts

    const ProblemList &problems() const { return m_problems; }
    ProblemList &problems() { return m_problems; }

private:
    LoadFile() = default;
    // Rows stay in the chunk that read them (no 80 MB merge copy for 10 million rows).
    struct ChunkInfo {
        qint64 firstRow = 0;
        qint64 lineBase = 0;                    // 1-based line of the chunk's first byte
        std::vector<std::uint64_t> rowStarts;   // byte offset of each row
        std::vector<std::uint8_t> flags;        // RowFlag bits of each row
        std::vector<std::uint64_t> checkpoints; // line index of every kCheckpoint-th row
    };
    const ChunkInfo &chunkOf(qint64 row) const;
    ChunkInfo &chunkOf(qint64 row) { return const_cast<ChunkInfo &>(std::as_const(*this).chunkOf(row)); }
    std::uint64_t rowStart(qint64 row) const;
    static constexpr qint64 kCheckpoint = 4096;

    void checkHeader();
    void findDuplicateIds(int column, const std::vector<std::vector<std::uint64_t>> &hashesPerChunk,
                          const std::vector<std::uint64_t> &duplicates);

    QString m_path;
    std::shared_ptr<MappedFile> m_file;
    CsvDialect m_dialect;
    QStringList m_header;
    std::uint64_t m_dataBegin = 0;
    std::uint64_t m_dataEnd = 0;
    qint64 m_headerLines = 1;
    std::vector<QStringList> m_sample;
    qint64 m_rowCount = 0;
    std::vector<ChunkInfo> m_chunks;
    bool m_simpleLines = true;   // no multi-line records or blank lines: line = row + header lines + 1
    bool m_scanned = false;
    ProblemList m_problems;
};

} // namespace lockstep
