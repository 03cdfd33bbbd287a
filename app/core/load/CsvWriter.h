#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QSaveFile>
#include <QStringList>

#include <memory>

namespace lockstep {

// RFC 4180 output, the one CSV writer of the project (result files, plan exports, the demo org's
// Bulk results). Fields are quoted when they must be (delimiter, quote, CR or LF, leading or
// trailing space), or always — as Salesforce writes its result files.
struct CsvStyle {
    char delimiter = ',';
    bool alwaysQuote = false;
    QByteArray lineEnd = "\n";
};

class CsvFormat {
public:
    static QByteArray field(QStringView text, const CsvStyle &style = {});
    static QByteArray line(const QStringList &fields, const CsvStyle &style = {});
};

// A CSV file written atomically: rows go to a temporary file beside the target, which replaces
// the target only on commit() — a reader never sees half a file, a crash leaves the old one.
class CsvFileWriter {
public:
    static Result<CsvFileWriter> create(const QString &path, const CsvStyle &style = {});

    CsvFileWriter(CsvFileWriter &&) noexcept = default;
    CsvFileWriter &operator=(CsvFileWriter &&) noexcept = default;

    void writeRow(const QStringList &fields);
    // A record that is already CSV in this style (a row of the source file, as it was).
    void writeRaw(QByteArrayView record);
    // `rows` whole records already in this style, each with its line end (a slice of a plan
    // export): handed to the file as they are, not through the row buffer.
    Result<void> writeBlock(QByteArrayView bytes, qint64 rows);
    Result<void> commit();
    qint64 rows() const { return m_rows; }
    const QString &path() const { return m_path; }

private:
    CsvFileWriter() = default;
    Result<void> flush();
    void startWriteback();

    QString m_path;
    CsvStyle m_style;
    std::unique_ptr<QSaveFile> m_file;
    QByteArray m_buffer;
    qint64 m_rows = 0;
    qint64 m_written = 0;        // bytes handed to the file
    qint64 m_writebackFrom = 0;  // bytes before this one are on their way to the disk
    bool m_failed = false;
};

} // namespace lockstep
