#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>

#include <cstdio>
#include <cstdlib>

namespace lockstep::test {

// LOCKSTEP_KEEP_SCRATCH=1 keeps a test's files (stores, orgs, result files) to look at after it.
Scratch::Scratch() : m_dir(std::make_unique<QTemporaryDir>())
{
    if (qEnvironmentVariableIsSet("LOCKSTEP_KEEP_SCRATCH")) {
        m_dir->setAutoRemove(false);
        qInfo("scratch: %s", qPrintable(m_dir->path()));
    }
}

QString Scratch::path(const QString &name) const
{
    return m_dir->filePath(name);
}

QString Scratch::write(const QString &name, const QByteArray &bytes) const
{
    const QString p = path(name);
    QFile f(p);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(p));
    f.write(bytes);
    return p;
}

QString Scratch::sample(const QString &name, const SampleOptions &options) const
{
    const QString p = path(name);
    auto result = writeSample(p, options);
    if (!result)
        qFatal("sample failed: %s", qPrintable(result.error().toString()));
    return p;
}

ProcessResult runCli(const QStringList &arguments, int timeoutMs, const QByteArray &stdinData)
{
    ProcessResult r;
    const QString cli = qEnvironmentVariable("LOCKSTEP_CLI");
    if (cli.isEmpty())
        qFatal("LOCKSTEP_CLI is not set (run the tests through ctest)");
    QProcess p;
    p.start(cli, arguments);
    if (!p.waitForStarted(10000))
        qFatal("cannot start %s", qPrintable(cli));
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished();
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void skipWholeTest(const char *reason)
{
    std::fprintf(stderr, "SKIP: %s\n", reason);
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(kSkippedExitCode);
}

QString outputDir()
{
    QString dir = qEnvironmentVariable("LOCKSTEP_TEST_OUTPUT");
    if (dir.isEmpty())
        dir = QDir::temp().filePath(QStringLiteral("lockstep-test-output"));
    QDir().mkpath(dir);
    return dir;
}

SampleOptions caseA(qint64 houseRows)
{
    return SampleOptions::caseA(houseRows);
}

QList<QStringList> parseCsvReference(const QByteArray &text, char delimiter)
{
    QList<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool inQuotes = false;
    bool fieldStarted = false;
    int i = 0;
    const int n = int(text.size());
    if (text.startsWith("\xEF\xBB\xBF"))
        i = 3;
    auto endField = [&] {
        row << QString::fromUtf8(field);
        field.clear();
        fieldStarted = false;
    };
    for (; i < n; ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < n && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && !fieldStarted) {
            inQuotes = true;
            fieldStarted = true;
        } else if (c == delimiter) {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n')
                ++i;
            endField();
            if (!(row.size() == 1 && row.front().isEmpty()))
                rows << row;
            row.clear();
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
        endField();
        rows << row;
    }
    return rows;
}

QString bandViolation(const HeatmapGrid &grid)
{
    int previousLast = 0;
    for (int y = 0; y < grid.rows(); ++y) {
        int first = -1, last = -1;
        for (int x = 0; x < grid.columns(); ++x)
            if (grid.cell(x, y)) {
                if (first < 0)
                    first = x;
                last = x;
            }
        if (first < 0)
            return QStringLiteral("row %1 is empty").arg(y);
        for (int x = first; x <= last; ++x)
            if (!grid.cell(x, y))
                return QStringLiteral("gap in row %1 at column %2").arg(y).arg(x);
        if (first < previousLast)
            return QStringLiteral("row %1 starts at column %2, before %3").arg(y).arg(first).arg(previousLast);
        previousLast = last;
    }
    return {};
}

} // namespace lockstep::test
