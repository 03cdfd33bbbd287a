// tests/bench/window: the window on a 10,000,000-row file (issue 13), as a user meets it — the
// real MainWindow (offscreen) with its demo org: open the file, wait for the analysis and every
// prediction, watch the demo org's seeding move, then stop it (Org → Stop Seeding).
//
// Printed: the file's size, the window's resident memory before the file (baseline, same run)
// and at its peak (VmHWM, this process: the window and everything it reads), their ratio to the
// file's size, the analysis and prediction times, the longest event-loop gap, how far the seed
// got and how soon the org stopped seeding once asked. Fails when the peak is 3× the file or
// more, or when a phase shows no progress or cannot be stopped.
// $LOCKSTEP_BENCH_DIR holds the file (made once); $LOCKSTEP_BENCH_ROWS (default 10000000).
#include "BenchProcess.h"
#include "DemoOrgController.h"
#include "MainWindow.h"
#include "PlanController.h"
#include "sample/SampleGenerator.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <optional>
#include <set>

using namespace lockstep;
using namespace lockstep::ui;

namespace {

// "VmRSS:  123456 kB" of /proc/self/status.
qint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').front().toLongLong();
    return -1;
}

// Waits, with the event loop running, until `done` or the deadline.
template <class F>
bool waitFor(F done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir settings;   // the window's remembered state: not the user's
    qputenv("XDG_CONFIG_HOME", settings.path().toLocal8Bit());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("lockstep-bench"));
    const qint64 rows = QString::fromStdString(bench::env("LOCKSTEP_BENCH_ROWS", "10000000")).toLongLong();
    const QString dir = QString::fromStdString(bench::benchDirectory());
    QDir().mkpath(dir);
    const QString path = QDir(dir).filePath(QStringLiteral("window-%1.csv").arg(rows));
    if (!QFileInfo::exists(path)) {
        std::fprintf(stderr, "writing %s (%lld rows, 200,000 parents)…\n", qPrintable(path), rows);
        SampleOptions o;
        o.rows = rows;
        o.parents = std::max<qint64>(1, rows / 50);
        if (auto written = writeSample(path + QStringLiteral(".part"), o); !written) {
            std::fprintf(stderr, "sample: %s\n", qPrintable(written.error().toString()));
            return 2;
        }
        QFile::rename(path + QStringLiteral(".part"), path);
    }
    const double fileMb = double(QFileInfo(path).size()) / 1e6;

    MainWindow window;
    window.setDialogsEnabled(false);
    window.resize(1600, 1000);
    window.show();
    QTemporaryDir orgDir(QDir(dir).filePath(QStringLiteral("window-org-XXXXXX")));
    if (auto started = window.startDemoOrg(0.05, orgDir.path()); !started) {
        std::fprintf(stderr, "demo org: %s\n", qPrintable(started.error().toString()));
        return 2;
    }
    if (!waitFor([&] { return window.demoOrg()->isRunning(); }, 60000)) {
        std::fprintf(stderr, "the demo org did not start\n");
        return 1;
    }
    const qint64 baselineKb = statusKb("VmRSS:");

    // The longest stretch the event loop did not turn (a 5 ms timer).
    QElapsedTimer sinceTick;
    qint64 longestGap = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] { longestGap = std::max(longestGap, sinceTick.restart()); });
    std::set<int> progressValues;
    QObject::connect(window.progressBar(), &QProgressBar::valueChanged, [&](int v) { progressValues.insert(v); });
    std::set<qint64> seedValues;
    DemoOrgStatus lastSeed;
    QObject::connect(window.demoOrg(), &DemoOrgController::statusChanged, [&](const DemoOrgStatus &s) {
        if (s.seeding) {
            seedValues.insert(s.seedDone);
            lastSeed = s;
        }
    });

    QSignalSpy finished(window.analysis(), &AnalysisController::finished);
    QSignalSpy compared(window.planner(), &PlanController::comparisonReady);
    QElapsedTimer clock;
    clock.start();
    sinceTick.start();
    ticker.start(5);
    window.openFile(path);
    bool ok = waitFor([&] { return !finished.isEmpty(); }, 10 * 60000);
    const double analysisSeconds = double(clock.elapsed()) / 1000;
    ok = ok && waitFor([&] { return !compared.isEmpty(); }, 10 * 60000);
    const double predictionSeconds = double(clock.elapsed()) / 1000;
    const qint64 analysisGap = longestGap;
    if (!ok) {
        std::fprintf(stderr, "the analysis or the prediction did not finish in 10 minutes\n");
        return 1;
    }

    // The seed started once the file was read: it shows progress, then Org → Stop Seeding.
    const bool seedMoved = waitFor([&] { return seedValues.size() >= 3 || !window.demoOrg()->isSeeding(); }, 5 * 60000);
    const bool seedFinished = !window.demoOrg()->isSeeding();
    QSignalSpy stopped(window.demoOrg(), &DemoOrgController::seedStopped);
    QElapsedTimer sinceStop;
    sinceStop.start();
    window.demoOrg()->cancelSeeding();
    // The org itself stops reading: its status no longer shows a seed.
    bool orgStopped = seedFinished;
    if (!seedFinished) {
        std::optional<DemoOrgStatus> last;
        auto connection = QObject::connect(window.demoOrg(), &DemoOrgController::statusChanged, [&](const DemoOrgStatus &s) { last = s; });
        orgStopped = waitFor(
            [&] {
                if (last && last->seedTotal == 0)
                    return true;
                last.reset();
                window.demoOrg()->refreshStatus();
                return waitFor([&] { return last.has_value(); }, 5000) && last->seedTotal == 0;
            },
            60000);
        QObject::disconnect(connection);
    }
    const double stopSeconds = double(sinceStop.elapsed()) / 1000;
    ticker.stop();
    const qint64 peakKb = statusKb("VmHWM:");
    const double peakMb = double(peakKb) / 1024 * 1.048576;   // kB → MB (10^6)
    const double baselineMb = double(baselineKb) / 1024 * 1.048576;
    const double ratio = peakMb / fileMb;

    std::printf("\nThe window on a %lld-row file (%.0f MB), demo org at 0.05, offscreen 1600×1000\n", rows, fileMb);
    std::printf("| measure | value |\n|---|---|\n");
    std::printf("| window before the file (baseline) | %.0f MB |\n", baselineMb);
    std::printf("| window peak (VmHWM) | %.0f MB = %.2f× the file (limit 3×) |\n", peakMb, ratio);
    std::printf("| analysis | %.1f s (%zu progress values) |\n", analysisSeconds, progressValues.size());
    std::printf("| every prediction | %.1f s after opening |\n", predictionSeconds);
    std::printf("| longest event-loop gap, analysis and prediction | %lld ms |\n", analysisGap);
    std::printf("| demo org seeding | %s: %zu progress reports, the last \"%s\" at %.0f %% |\n",
                seedFinished ? "finished" : "stopped by the user", seedValues.size(), qPrintable(lastSeed.seedPhase),
                lastSeed.seedTotal > 0 ? 100.0 * double(lastSeed.seedDone) / double(lastSeed.seedTotal) : 0.0);
    std::printf("| seeding stopped in the org | %s, %.1f s after Stop Seeding |\n", orgStopped ? "yes" : "NO", stopSeconds);
    std::fflush(stdout);

    int failures = 0;
    auto check = [&](bool good, const char *what) {
        if (!good) {
            std::fprintf(stderr, "FAIL: %s\n", what);
            ++failures;
        }
    };
    check(ratio < 3.0, "the window's peak memory is 3× the file or more");
    check(progressValues.size() >= 3, "the progress bar did not move while reading");
    check(seedMoved && (seedFinished || seedValues.size() >= 2), "the demo org's seeding showed no progress");
    check(orgStopped, "the demo org did not stop seeding when asked");
    check(seedFinished || stopped.count() == 1, "Stop Seeding did not say it stopped");
    return failures == 0 ? 0 : 1;
}
