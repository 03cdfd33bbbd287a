#include "load/RowCopier.h"

#include "load/CsvWriter.h"
#include "load/LoadFile.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#if defined(Q_OS_LINUX)
#include <sys/mman.h>
#endif

namespace lockstep {

namespace {

// A large scratch buffer, in transparent huge pages where the kernel offers them: filling 40 MB
// of fresh 4 KB pages costs ten thousand page faults, a tenth of a second on a virtual machine.
class ScratchBuffer {
public:
    explicit ScratchBuffer(std::uint64_t bytes) : m_size(std::max<std::uint64_t>(1, bytes))
    {
#if defined(Q_OS_LINUX)
        void *p = ::mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            ::madvise(p, m_size, MADV_HUGEPAGE);
            m_data = static_cast<char *>(p);
            return;
        }
#endif
        m_owned = std::make_unique<char[]>(m_size);
        m_data = m_owned.get();
    }
    ~ScratchBuffer()
    {
#if defined(Q_OS_LINUX)
        if (!m_owned)
            ::munmap(m_data, m_size);
#endif
    }
    ScratchBuffer(const ScratchBuffer &) = delete;
    ScratchBuffer &operator=(const ScratchBuffer &) = delete;
    char *data() const { return m_data; }
    std::uint64_t size() const { return m_size; }

private:
    std::uint64_t m_size;
    char *m_data = nullptr;
    std::unique_ptr<char[]> m_owned;
};

// The source read front to back in windows of whole rows (pread into one buffer: no mapped
// pages to fault in and give back on every pass).
class SourceWindows {
public:
    static constexpr std::uint64_t kBytes = 4ull << 20;

    explicit SourceWindows(const LoadFile &file) : m_file(file), m_source(file.path())
    {
        const qint64 rows = file.rowCount();
        std::uint64_t largest = 0;
        for (qint64 row = 0; row < rows;) {
            m_first.push_back(row);
            const std::uint64_t begin = file.recordExtent(row).first;
            // The last row that still ends inside the window (at least one row, however long).
            qint64 lo = row + 1, hi = rows;
            while (lo < hi) {
                const qint64 mid = lo + (hi - lo) / 2;
                if (file.recordExtent(mid).second <= begin + kBytes)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            largest = std::max(largest, file.recordExtent(lo - 1).second - begin);
            row = lo;
        }
        m_first.push_back(rows);
        m_buffer = std::make_unique<ScratchBuffer>(largest);
    }

    Result<void> open()
    {
        if (!m_source.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(m_file.path(), m_source.errorString()), m_file.path());
        return {};
    }
    qint64 count() const { return qint64(m_first.size()) - 1; }
    qint64 firstRow(qint64 w) const { return m_first[size_t(w)]; }
    qint64 endRow(qint64 w) const { return m_first[size_t(w) + 1]; }

    // Reads window `w`; record() then gives the bytes of its rows.
    Result<void> read(qint64 w)
    {
        m_begin = m_file.recordExtent(firstRow(w)).first;
        const qint64 bytes = qint64(m_file.recordExtent(endRow(w) - 1).second - m_begin);
        if (!m_source.seek(qint64(m_begin)) || m_source.read(m_buffer->data(), bytes) != bytes)
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(m_file.path(), m_source.errorString()), m_file.path());
        return {};
    }
    // The row as the source has it, without its line end (and blank lines after it).
    std::string_view record(qint64 row) const
    {
        const auto [b, e] = m_file.recordExtent(row);
        std::string_view text(m_buffer->data() + (b - m_begin), size_t(e - b));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.remove_suffix(1);
        return text;
    }

private:
    const LoadFile &m_file;
    QFile m_source;
    std::vector<qint64> m_first;   // first row of each window, then the row count
    std::uint64_t m_begin = 0;
    std::unique_ptr<ScratchBuffer> m_buffer;
};

// The output in slices: a pass per slice (see RowCopier).
struct Slices {
    qint64 count = 1;
    qint64 total = 0;
    std::uint64_t largestBytes = 0;   // the most bytes one slice's rows take in the source
    qint64 from(qint64 k) const { return total * k / count; }
    qint64 sliceOf(qint64 position) const { return ((position + 1) * count - 1) / total; }
};

constexpr std::uint32_t kNotCopied = 0xFFFFFFFFu;
constexpr qint64 kProgressRows = 1 << 16;

QByteArray lineEndOf(const CsvDialect &d)
{
    return d.crlf ? QByteArray("\r\n") : d.newline == '\r' ? QByteArray("\r") : QByteArray("\n");
}

// Output positions: the targets one after another, each its runs in order.
std::vector<std::uint32_t> outputPositions(const LoadFile &file, const std::vector<RowCopier::Target> &targets,
                                           std::vector<qint64> &targetEnd)
{
    std::vector<std::uint32_t> positionOf(static_cast<size_t>(file.rowCount()), kNotCopied);
    std::uint32_t p = 0;
    for (const auto &t : targets) {
        for (const auto &run : t.runs)
            for (const auto row : run)
                positionOf[row] = p++;
        targetEnd.push_back(p);
    }
    return positionOf;
}

Slices slicesOf(const LoadFile &file, const std::vector<std::uint32_t> &positionOf, qint64 positions, std::uint64_t sliceBytes)
{
    Slices s;
    s.total = positions;
    std::uint64_t dataBytes = 0;
    for (qint64 row = 0; row < file.rowCount(); ++row)
        if (positionOf[size_t(row)] != kNotCopied) {
            const auto [b, e] = file.recordExtent(row);
            dataBytes += e - b;
        }
    s.count = qint64(std::max<std::uint64_t>(1, (dataBytes + sliceBytes - 1) / sliceBytes));
    std::vector<std::uint64_t> bytes(size_t(s.count), 0);
    for (qint64 row = 0; row < file.rowCount(); ++row) {
        const std::uint32_t p = positionOf[size_t(row)];
        if (p == kNotCopied)
            continue;
        const auto [b, e] = file.recordExtent(row);
        bytes[size_t(s.sliceOf(p))] += e - b;
    }
    s.largestBytes = *std::max_element(bytes.begin(), bytes.end());
    return s;
}

} // namespace

Result<void> RowCopier::copy(const LoadFile &file, std::vector<Target> &targets, const Progress &progress, const OnRow &onRow,
                            std::uint64_t sliceBytes)
{
    if (targets.empty())
        return {};
    const CsvDialect &dialect = file.dialect();
    CsvStyle style;
    style.delimiter = dialect.delimiter;
    style.lineEnd = lineEndOf(dialect);
    QByteArray header;
    if (dialect.bomLength > 0)
        header += "\xEF\xBB\xBF";
    const std::string_view rawHeader = file.rawHeader();
    header.append(rawHeader.data(), qsizetype(rawHeader.size()));

    std::vector<qint64> targetEnd;   // one past each target's last position
    const std::vector<std::uint32_t> positionOf = outputPositions(file, targets, targetEnd);
    const qint64 total = targetEnd.back();
    std::optional<CsvFileWriter> writer;
    int current = -1;
    auto startOf = [&](int t) { return t == 0 ? qint64(0) : targetEnd[size_t(t - 1)]; };
    auto openNext = [&]() -> Result<void> {
        ++current;
        auto created = CsvFileWriter::create(targets[size_t(current)].path, style);
        if (!created)
            return std::unexpected(created.error());
        writer.emplace(std::move(*created));
        writer->writeRaw(header);
        targets[size_t(current)].bytes = header.size() + style.lineEnd.size();
        return {};
    };
    auto commit = [&]() -> Result<void> {
        auto committed = writer->commit();
        writer.reset();
        return committed;
    };
    // The next target with rows; targets without rows before it get their header alone.
    auto openNextWithRows = [&]() -> Result<void> {
        for (;;) {
            if (auto opened = openNext(); !opened)
                return opened;
            if (targetEnd[size_t(current)] > startOf(current))
                return {};
            if (auto committed = commit(); !committed)
                return committed;
        }
    };

    const Slices slices = total > 0 ? slicesOf(file, positionOf, total, std::max<std::uint64_t>(1, sliceBytes)) : Slices{0, 0, 0};
    SourceWindows source(file);
    if (auto opened = source.open(); !opened)
        return opened;
    ScratchBuffer staging(slices.largestBytes);
    std::vector<std::uint32_t> offset, length;   // per position of the slice: where its bytes are in `staging`
    qint64 done = 0;
    for (qint64 slice = 0; slice < slices.count; ++slice) {
        const qint64 from = slices.from(slice), to = slices.from(slice + 1);
        offset.assign(size_t(to - from), 0);
        length.assign(size_t(to - from), 0);
        std::uint64_t used = 0;
        for (qint64 w = 0; w < source.count(); ++w) {
            if (progress.cancelled())
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled while copying rows of %1").arg(file.path()), file.path());
            if (auto read = source.read(w); !read)
                return read;
            for (qint64 row = source.firstRow(w); row < source.endRow(w); ++row) {
                const std::uint32_t p = positionOf[size_t(row)];
                if (p == kNotCopied || qint64(p) < from || qint64(p) >= to)
                    continue;
                const std::string_view raw = source.record(row);
                offset[size_t(p - from)] = std::uint32_t(used);
                length[size_t(p - from)] = std::uint32_t(raw.size());
                std::memcpy(staging.data() + used, raw.data(), raw.size());
                used += raw.size();
                if (onRow)
                    onRow(row, int(std::upper_bound(targetEnd.begin(), targetEnd.end(), qint64(p)) - targetEnd.begin()));
            }
        }
        for (qint64 p = from; p < to; ++p) {
            if (!writer)
                if (auto opened = openNextWithRows(); !opened)
                    return opened;
            const std::uint32_t n = length[size_t(p - from)];
            writer->writeRaw(QByteArrayView(staging.data() + offset[size_t(p - from)], qsizetype(n)));
            targets[size_t(current)].bytes += qint64(n) + style.lineEnd.size();
            if (p + 1 == targetEnd[size_t(current)])
                if (auto committed = commit(); !committed)
                    return committed;
            if (++done % kProgressRows == 0)
                progress(done, total, QStringLiteral("Writing %1").arg(QFileInfo(targets[size_t(current)].path).fileName()));
        }
    }
    // Targets without rows after the last row.
    while (current + 1 < int(targets.size())) {
        if (auto opened = openNext(); !opened)
            return opened;
        if (auto committed = commit(); !committed)
            return committed;
    }
    progress(total, total, QStringLiteral("Writing"));
    return {};
}

} // namespace lockstep
