#include "load/RowCopier.h"

#include "load/CsvWriter.h"
#include "load/LoadFile.h"

#include <QFile>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cerrno>
#include <cstring>
#include <expected>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <variant>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    static constexpr std::uint64_t kBytes = 2ull << 20;

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
        m_largest = largest;
    }

    Result<void> open()
    {
        if (!m_source.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(m_file.path(), m_source.errorString()), m_file.path());
        m_buffer = std::make_unique<ScratchBuffer>(m_largest);
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
    std::uint64_t m_largest = 0;
    std::unique_ptr<ScratchBuffer> m_buffer;
};

// A reader of its own over the same windows, for a thread that copies beside the others. A
// window is mapped (its pages come straight from the page cache, no copy: a pass touches every
// window, and the copy of the whole source into a buffer on every pass cost more than the rows
// copied out of it) and unmapped when the next one is read, so the process holds one window of
// the file at a time, never the file.
class WindowReader {
public:
    WindowReader(const LoadFile &file, const SourceWindows &windows) : m_file(file), m_windows(windows) {}

    Result<void> open()
    {
        m_fd = ::open(QFile::encodeName(m_file.path()).constData(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(m_file.path(), QString::fromLocal8Bit(std::strerror(errno))),
                        m_file.path());
        return {};
    }
    ~WindowReader()
    {
        unmap();
        if (m_fd >= 0)
            ::close(m_fd);
    }
    WindowReader(const WindowReader &) = delete;
    WindowReader &operator=(const WindowReader &) = delete;

    Result<void> read(qint64 w)
    {
        unmap();
        static const std::uint64_t page = std::uint64_t(::sysconf(_SC_PAGESIZE));
        const std::uint64_t begin = m_file.recordExtent(m_windows.firstRow(w)).first;
        const std::uint64_t end = m_file.recordExtent(m_windows.endRow(w) - 1).second;
        const std::uint64_t mapFrom = begin / page * page;
        // A file cut short since it was scanned: an error here, not a SIGBUS when a row is read.
        struct stat st {};
        if (::fstat(m_fd, &st) != 0 || std::uint64_t(st.st_size) < end)
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: the file changed while it was copied").arg(m_file.path()), m_file.path());
        m_length = end - mapFrom;
        // Not populated up front: MAP_POPULATE (and MADV_POPULATE_READ) map page by page, while a
        // fault maps the pages around it in one go — 14 % faster over a whole export here.
        void *p = ::mmap(nullptr, m_length, PROT_READ, MAP_PRIVATE, m_fd, off_t(mapFrom));
        if (p == MAP_FAILED) {
            m_length = 0;
            return fail(ErrorKind::Io, QStringLiteral("cannot read %1: %2").arg(m_file.path(), QString::fromLocal8Bit(std::strerror(errno))),
                        m_file.path());
        }
        m_map = static_cast<const char *>(p);
        m_base = m_map - mapFrom;
        return {};
    }
    // The byte at `offset` of the file (in the window last read).
    const char *at(std::uint64_t offset) const { return m_base + offset; }
    std::string_view record(qint64 row) const
    {
        const auto [b, e] = m_file.recordExtent(row);
        std::string_view text(m_base + b, size_t(e - b));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.remove_suffix(1);
        return text;
    }

private:
    void unmap()
    {
        if (m_map)
            ::munmap(const_cast<char *>(m_map), m_length);
        m_map = nullptr;
        m_length = 0;
    }
    const LoadFile &m_file;
    const SourceWindows &m_windows;
    int m_fd = -1;
    const char *m_map = nullptr;
    const char *m_base = nullptr;   // where byte 0 of the file would be
    std::uint64_t m_length = 0;
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

// The output stream: the targets one after another, each its runs in order; position p is
// the p-th row written.
struct Output {
    std::vector<std::uint32_t> positionOf;   // by source row; kNotCopied when no target has it
    std::vector<qint64> targetEnd;           // one past each target's last position
    qint64 total = 0;
    int targetOf(qint64 p) const { return int(std::upper_bound(targetEnd.begin(), targetEnd.end(), p) - targetEnd.begin()); }
    qint64 startOf(int t) const { return t == 0 ? 0 : targetEnd[size_t(t - 1)]; }
};

// Writes the output's targets in order, a block of whole rows at a time: each target its header,
// its rows, committed when its last row is in; targets without rows get their header alone.
class TargetSequence {
public:
    TargetSequence(std::vector<RowCopier::Target> &targets, const Output &output, const CsvStyle &style, QByteArray header)
        : m_targets(targets), m_output(output), m_style(style), m_header(std::move(header))
    {
    }

    // Positions [from, to) whose bytes are `bytes`, at `offsets[p - from]` (one more entry: the end).
    Result<void> write(qint64 from, qint64 to, const char *bytes, const std::vector<std::uint32_t> &offsets)
    {
        for (qint64 p = from; p < to;) {
            if (!m_writer)
                if (auto opened = openNextWithRows(); !opened)
                    return opened;
            const qint64 end = std::min(to, m_output.targetEnd[size_t(m_current)]);
            const std::uint32_t a = offsets[size_t(p - from)], b = offsets[size_t(end - from)];
            if (auto written = m_writer->writeBlock(QByteArrayView(bytes + a, qsizetype(b - a)), end - p); !written)
                return written;
            m_targets[size_t(m_current)].bytes += qint64(b - a);
            p = end;
            if (p == m_output.targetEnd[size_t(m_current)])
                if (auto committed = commit(); !committed)
                    return committed;
        }
        return {};
    }
    // Targets without rows after the last row.
    Result<void> finish()
    {
        while (m_current + 1 < int(m_targets.size())) {
            if (auto opened = openNext(); !opened)
                return opened;
            if (auto committed = commit(); !committed)
                return committed;
        }
        return {};
    }

private:
    Result<void> openNext()
    {
        ++m_current;
        auto created = CsvFileWriter::create(m_targets[size_t(m_current)].path, m_style);
        if (!created)
            return std::unexpected(created.error());
        m_writer.emplace(std::move(*created));
        m_writer->writeRaw(m_header);
        m_targets[size_t(m_current)].bytes = m_header.size() + m_style.lineEnd.size();
        return {};
    }
    Result<void> openNextWithRows()
    {
        for (;;) {
            if (auto opened = openNext(); !opened)
                return opened;
            if (m_output.targetEnd[size_t(m_current)] > m_output.startOf(m_current))
                return {};
            if (auto committed = commit(); !committed)
                return committed;
        }
    }
    Result<void> commit()
    {
        auto committed = m_writer->commit();
        m_writer.reset();
        return committed;
    }

    std::vector<RowCopier::Target> &m_targets;
    const Output &m_output;
    const CsvStyle &m_style;
    QByteArray m_header;
    std::optional<CsvFileWriter> m_writer;
    int m_current = -1;
};

Output outputOf(const LoadFile &file, const std::vector<RowCopier::Target> &targets)
{
    Output o;
    o.positionOf = outputPositions(file, targets, o.targetEnd);
    o.total = o.targetEnd.back();
    return o;
}

// The gathering copy, for any file: per slice, the slice's rows are copied into a staging
// buffer in source order, then written in output order.
Result<void> copyGathered(const LoadFile &file, std::vector<RowCopier::Target> &targets, const Output &output, TargetSequence &sequence,
                          const Progress &progress, std::uint64_t sliceBytes)
{
    const qint64 total = output.total;
    const Slices slices = total > 0 ? slicesOf(file, output.positionOf, total, std::max<std::uint64_t>(1, sliceBytes)) : Slices{0, 0, 0};
    SourceWindows source(file);
    if (auto opened = source.open(); !opened)
        return opened;
    ScratchBuffer staging(slices.largestBytes);
    QByteArray ordered;
    const QByteArray lineEnd = lineEndOf(file.dialect());
    std::vector<std::uint32_t> offset, length, blockOffsets;
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
                const std::uint32_t p = output.positionOf[size_t(row)];
                if (p == kNotCopied || qint64(p) < from || qint64(p) >= to)
                    continue;
                const std::string_view raw = source.record(row);
                offset[size_t(p - from)] = std::uint32_t(used);
                length[size_t(p - from)] = std::uint32_t(raw.size());
                std::memcpy(staging.data() + used, raw.data(), raw.size());
                used += raw.size();
            }
        }
        // In output order, a few MB at a time.
        for (qint64 p = from; p < to;) {
            ordered.resize(0);
            blockOffsets.assign(1, 0);
            const qint64 first = p;
            for (; p < to && ordered.size() < (4 << 20); ++p) {
                ordered.append(staging.data() + offset[size_t(p - from)], qsizetype(length[size_t(p - from)]));
                ordered += lineEnd;
                blockOffsets.push_back(std::uint32_t(ordered.size()));
            }
            if (auto written = sequence.write(first, p, ordered.constData(), blockOffsets); !written)
                return written;
        }
        progress(to, total, QStringLiteral("Writing"));
    }
    (void)targets;
    return {};
}

// Why the scattering copy stopped: a record whose length is not what the row starts say.
struct Irregular {};

// The scattering copy, for files whose every record is followed by exactly one line end (no
// blank lines, one line-end style): each record's length is then known from where the rows
// start, so every output byte has its place before a byte is read. Per slice, the source is
// read front to back on two threads, each copying the slice's rows of its half straight to
// their places, and the slice goes to its files in one write each — no staging copy, no gather
// in output order (a random read per row, which cost most of the copy). Returns Irregular when
// a record's length is not the expected one (the caller then copies by gathering).
std::expected<void, std::variant<Error, Irregular>> copyScattered(const LoadFile &file, const Output &output, TargetSequence &sequence,
                                                                  const Progress &progress, std::uint64_t sliceBytes)
{
    const qint64 rows = file.rowCount();
    const qint64 total = output.total;
    const std::uint64_t lineEnd = file.dialect().crlf ? 2 : 1;
    const QByteArray lineEndBytes = lineEndOf(file.dialect());
    if (total == 0)
        return {};
    SourceWindows windows(file);
    // The last record's length is read (its line end may be missing); every other one is its
    // extent less one line end.
    qint64 lastLength = -1;
    {
        WindowReader last(file, windows);
        if (auto opened = last.open(); !opened)
            return std::unexpected(opened.error());
        if (auto read = last.read(windows.count() - 1); !read)
            return std::unexpected(read.error());
        lastLength = qint64(last.record(rows - 1).size());
    }
    auto lengthOf = [&](qint64 row) -> std::uint64_t {
        if (row + 1 == rows)
            return std::uint64_t(lastLength);
        const auto [b, e] = file.recordExtent(row);
        return e - b >= lineEnd ? e - b - lineEnd : 0;
    };
    const int threads = std::clamp(int(std::thread::hardware_concurrency()), 1, 2);
    std::vector<std::unique_ptr<WindowReader>> readers;
    for (int t = 0; t < threads; ++t) {
        readers.push_back(std::make_unique<WindowReader>(file, windows));
        if (auto opened = readers.back()->open(); !opened)
            return std::unexpected(opened.error());
    }
    // Slices of equal row counts, as the gathering copy cuts them, of half the slice size: two
    // take turns, one filled while the other is written (the same memory as one slice, and the
    // write — the kernel's copy into the page cache, the longest part — runs beside the next
    // slice's copy instead of after it).
    const Slices slices = slicesOf(file, output.positionOf, total, std::max<std::uint64_t>(1, sliceBytes / 2));
    if (slices.largestBytes > std::numeric_limits<std::uint32_t>::max())
        return std::unexpected(Irregular{});   // a slice over 4 GB (one enormous record): the gathering copy takes it
    struct Turn {
        std::unique_ptr<ScratchBuffer> bytes;
        std::vector<std::uint32_t> offsets;   // per position of the slice, then its end
        qint64 from = 0, to = 0;
    };
    Turn turns[2];
    for (Turn &t : turns)
        t.bytes = std::make_unique<ScratchBuffer>(slices.largestBytes);

    // The writer: slices in order, each as soon as it is filled.
    std::mutex mutex;
    std::condition_variable changed;
    qint64 filled = 0, written = 0;   // slices handed over, slices on their way to disk
    bool stop = false;
    std::optional<Error> writeError;
    std::jthread writer([&] {
        for (qint64 k = 0; k < slices.count; ++k) {
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return filled > k || stop; });
                if (filled <= k)
                    return;
            }
            Turn &t = turns[k % 2];
            auto done = sequence.write(t.from, t.to, t.bytes->data(), t.offsets);
            std::lock_guard lock(mutex);
            if (!done) {
                writeError = done.error();
                stop = true;
            }
            written = k + 1;
            changed.notify_all();
            if (stop)
                return;
        }
    });
    auto finishWriter = [&](bool abandon) -> std::optional<Error> {
        {
            std::lock_guard lock(mutex);
            stop = stop || abandon;
            changed.notify_all();
        }
        writer.join();
        return writeError;
    };

    for (qint64 k = 0; k < slices.count; ++k) {
        {
            std::unique_lock lock(mutex);   // the turn's buffer is free once slice k-2 is written
            changed.wait(lock, [&] { return written >= k - 1 || stop; });
            if (stop)
                break;
        }
        Turn &turn = turns[k % 2];
        const qint64 from = slices.from(k), to = slices.from(k + 1);
        turn.from = from;
        turn.to = to;
        std::vector<std::uint32_t> &offsets = turn.offsets;
        offsets.assign(size_t(to - from + 1), 0);
        for (qint64 row = 0; row < rows; ++row)
            if (const std::uint32_t p = output.positionOf[size_t(row)]; p != kNotCopied && qint64(p) >= from && qint64(p) < to)
                offsets[size_t(p - from) + 1] = std::uint32_t(lengthOf(row) + lineEnd);
        std::uint64_t used = 0;
        for (std::uint32_t &o : offsets) {
            used += o;
            o = std::uint32_t(used);
        }
        if (used > turn.bytes->size()) {   // records longer than their extents: not this file's shape
            (void)finishWriter(true);
            return std::unexpected(Irregular{});
        }
        char *const slice = turn.bytes->data();
        std::atomic<bool> irregular{false}, cancelled{false};
        std::vector<std::optional<Error>> failed(static_cast<size_t>(threads));
        struct Piece {
            std::uint64_t source;   // where the record starts in the file
            std::uint32_t at;       // where it goes in the slice
            std::uint32_t length;   // its bytes, without the line end
            bool last;              // the file's last record (its line end may be missing)
        };
        std::vector<std::vector<Piece>> piecesOf(static_cast<size_t>(threads));
        auto copyPart = [&](int t) {
            WindowReader &reader = *readers[size_t(t)];
            const qint64 first = windows.count() * t / threads, end = windows.count() * (t + 1) / threads;
            for (qint64 w = first; w < end && !irregular.load(std::memory_order_relaxed); ++w) {
                if (progress.cancelled()) {
                    cancelled = true;
                    return;
                }
                if (auto read = reader.read(w); !read) {
                    failed[size_t(t)] = read.error();
                    return;
                }
                // The window's rows of this slice first (a front-to-back read of the positions),
                // then copied with the source bytes of the row a few ahead already on their way:
                // the rows are a few hundred bytes apart, and each would otherwise wait on memory.
                std::vector<Piece> &pieces = piecesOf[size_t(t)];
                pieces.clear();
                for (qint64 row = windows.firstRow(w); row < windows.endRow(w); ++row) {
                    const std::uint32_t p = output.positionOf[size_t(row)];
                    if (p == kNotCopied || qint64(p) < from || qint64(p) >= to)
                        continue;
                    const std::uint32_t at = offsets[size_t(p - from)];
                    pieces.push_back({file.recordExtent(row).first, at, offsets[size_t(p - from) + 1] - at - std::uint32_t(lineEnd),
                                      row + 1 == rows});
                }
                constexpr size_t kAhead = 8;
                for (size_t i = 0; i < pieces.size(); ++i) {
                    if (i + kAhead < pieces.size()) {
                        const char *ahead = reader.at(pieces[i + kAhead].source);
                        __builtin_prefetch(ahead);
                        __builtin_prefetch(ahead + 64);
                    }
                    const Piece &piece = pieces[i];
                    const char *source = reader.at(piece.source);
                    // Exactly one line end after the record, and none inside its end: else the
                    // lengths from the row starts are wrong for this file.
                    const char *tail = source + piece.length;
                    const bool regular = piece.last || ((piece.length == 0 || (tail[-1] != '\n' && tail[-1] != '\r')) && tail[0] == lineEndBytes[0] &&
                                                        (lineEnd == 1 || tail[1] == lineEndBytes[1]));
                    if (!regular) {
                        irregular = true;
                        return;
                    }
                    std::memcpy(slice + piece.at, source, piece.length);
                    std::memcpy(slice + piece.at + piece.length, lineEndBytes.constData(), size_t(lineEnd));
                }
            }
        };
        {
            std::vector<std::jthread> helpers;
            for (int t = 1; t < threads; ++t)
                helpers.emplace_back(copyPart, t);
            copyPart(0);
        }
        for (auto &e : failed)
            if (e) {
                (void)finishWriter(true);
                return std::unexpected(*e);
            }
        if (cancelled) {
            (void)finishWriter(true);
            return std::unexpected(Error{ErrorKind::Cancelled, QStringLiteral("cancelled while copying rows of %1").arg(file.path()), file.path()});
        }
        if (irregular) {
            (void)finishWriter(true);
            return std::unexpected(Irregular{});
        }
        {
            std::lock_guard lock(mutex);
            filled = k + 1;
            changed.notify_all();
        }
        progress(to, total, QStringLiteral("Writing"));
    }
    if (auto e = finishWriter(false))
        return std::unexpected(*e);
    return {};
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

    const Output output = outputOf(file, targets);
    if (onRow)
        for (qint64 row = 0; row < file.rowCount(); ++row)
            if (const std::uint32_t p = output.positionOf[size_t(row)]; p != kNotCopied)
                onRow(row, output.targetOf(p));
    {
        TargetSequence sequence(targets, output, style, header);
        auto scattered = copyScattered(file, output, sequence, progress, sliceBytes);
        if (scattered)
            return sequence.finish();
        if (const Error *e = std::get_if<Error>(&scattered.error()))
            return std::unexpected(*e);
    }
    // A file with blank lines or mixed line ends: its files are written again, by gathering
    // (the ones the scattering copy committed are replaced whole).
    TargetSequence sequence(targets, output, style, header);
    if (auto gathered = copyGathered(file, targets, output, sequence, progress, sliceBytes); !gathered)
        return gathered;
    if (auto finished = sequence.finish(); !finished)
        return finished;
    progress(output.total, output.total, QStringLiteral("Writing"));
    return {};
}

} // namespace lockstep
