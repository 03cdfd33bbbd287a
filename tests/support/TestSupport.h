#pragma once

#include "analysis/HeatmapGrid.h"
#include "sample/SampleGenerator.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace lockstep::test {

// A scratch directory for one test case; files written here vanish with it.
class Scratch {
public:
    Scratch();
    QString path(const QString &name) const;
    // Writes bytes exactly as given (no newline translation) and returns the path.
    QString write(const QString &name, const QByteArray &bytes) const;
    // Writes a generated sample file and returns its path.
    QString sample(const QString &name, const SampleOptions &options) const;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

struct ProcessResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool crashed = false;
    bool timedOut = false;
};

// Runs lockstep-cli (path from $LOCKSTEP_CLI) with arguments; waits up to `timeoutMs`.
ProcessResult runCli(const QStringList &arguments, int timeoutMs = 120000, const QByteArray &stdinData = {});

// Where tests save artefacts a person looks at (screenshots): $LOCKSTEP_TEST_OUTPUT or a temp dir.
QString outputDir();

// ctest shows a test that exits with this code as skipped (lockstep_add_qtest sets
// SKIP_RETURN_CODE): QSKIP alone ends the executable with 0, which ctest counts as passed.
constexpr int kSkippedExitCode = 77;
// Says why on stderr and ends the whole test executable as skipped — for a test whose tool
// (Node.js, a keyring) is missing on this machine.
[[noreturn]] void skipWholeTest(const char *reason);

// calibration.md case A: 90,000 Opportunities over 5,000 Accounts, Zipf 0.6, random order; with
// `houseRows` > 0 one Account (the house account) holds exactly that many.
SampleOptions caseA(qint64 houseRows = 0);

// A minimal, independent CSV parser for cross-checking the real one in tests (RFC 4180,
// comma, quotes, CRLF/LF). Slow and simple on purpose.
QList<QStringList> parseCsvReference(const QByteArray &text, char delimiter = ',');

// What "sorting turns the scatter into a band" means on a grid: every parent row is one
// contiguous run of columns, and each run starts where the previous row's ended (or later).
// Returns an empty string when the grid is such a band, else what breaks it.
QString bandViolation(const HeatmapGrid &grid);

} // namespace lockstep::test
