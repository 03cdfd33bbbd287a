#include "load/CsvWriter.h"

#include <algorithm>

#if defined(Q_OS_LINUX)
#include <fcntl.h>
#endif

namespace lockstep {

namespace {
constexpr qsizetype kFlushBytes = 1 << 20;
constexpr qint64 kWritebackBytes = 8 << 20;
}

QByteArray CsvFormat::field(QStringView text, const CsvStyle &style)
{
    QByteArray bytes = text.toUtf8();
    bool quote = style.alwaysQuote;
    if (!quote) {
        quote = !bytes.isEmpty() && (bytes.front() == ' ' || bytes.back() == ' ');
        for (const char c : std::as_const(bytes))
            if (c == style.delimiter || c == '"' || c == '\n' || c == '\r') {
                quote = true;
                break;
            }
    }
    if (!quote)
        return bytes;
    bytes.replace('"', "\"\"");
    return '"' + bytes + '"';
}

QByteArray CsvFormat::line(const QStringList &fields, const CsvStyle &style)
{
    QByteArray out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i)
            out += style.delimiter;
        out += field(fields[i], style);
    }
    return out + style.lineEnd;
}

Result<CsvFileWriter> CsvFileWriter::create(const QString &path, const CsvStyle &style)
{
    CsvFileWriter w;
    w.m_path = path;
    w.m_style = style;
    w.m_file = std::make_unique<QSaveFile>(path);
    // Unbuffered: rows are gathered in m_buffer and reach the file a megabyte at a time.
    if (!w.m_file->open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return fail(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(path, w.m_file->errorString()), path);
    w.m_buffer.reserve(kFlushBytes + (64 << 10));
    return w;
}

void CsvFileWriter::writeRow(const QStringList &fields)
{
    m_buffer += CsvFormat::line(fields, m_style);
    ++m_rows;
    if (m_buffer.size() >= kFlushBytes)
        (void)flush();
}

void CsvFileWriter::writeRaw(QByteArrayView record)
{
    m_buffer.append(record.data(), record.size());
    m_buffer += m_style.lineEnd;
    ++m_rows;
    if (m_buffer.size() >= kFlushBytes)
        (void)flush();
}

Result<void> CsvFileWriter::writeBlock(QByteArrayView bytes, qint64 rows)
{
    if (auto flushed = flush(); !flushed)
        return flushed;
    m_rows += rows;
    // In pieces of the writeback size, so the disk starts on the first while the rest is copied.
    for (qsizetype at = 0; at < bytes.size() && !m_failed;) {
        const qsizetype n = std::min<qsizetype>(bytes.size() - at, qsizetype(kWritebackBytes));
        if (m_file->write(bytes.data() + at, n) != n)
            m_failed = true;
        m_written += n;
        at += n;
        startWriteback();
    }
    if (m_failed)
        return fail(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString()), m_path);
    return {};
}

Result<void> CsvFileWriter::flush()
{
    if (!m_buffer.isEmpty() && m_file->write(m_buffer) != m_buffer.size())
        m_failed = true;
    m_written += m_buffer.size();
    m_buffer.resize(0);   // keeps the capacity: clear() would free it and every flush regrow it
    startWriteback();
    if (m_failed)
        return fail(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString()), m_path);
    return {};
}

void CsvFileWriter::startWriteback()
{
#if defined(Q_OS_LINUX)
    // Start writing back what is written so far: commit()'s sync then finds little left to do,
    // instead of waiting for the whole file at the end.
    if (m_written - m_writebackFrom >= kWritebackBytes && m_file->handle() >= 0) {
        ::sync_file_range(m_file->handle(), m_writebackFrom, m_written - m_writebackFrom, SYNC_FILE_RANGE_WRITE);
        m_writebackFrom = m_written;
    }
#endif
}

Result<void> CsvFileWriter::commit()
{
    if (auto f = flush(); !f) {
        m_file->cancelWriting();
        return f;
    }
    if (!m_file->commit())
        return fail(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString()), m_path);
    return {};
}

} // namespace lockstep
