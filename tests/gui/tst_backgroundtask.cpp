// BackgroundTask, the one way the window runs work off the GUI thread: the latest run wins, its
// token reaches the work, results and progress arrive on the GUI thread, and nothing arrives
// once the task (or its owner) is gone.
#include "BackgroundTask.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace lockstep;
using namespace lockstep::ui;

namespace {

// Records what a task delivers, as signals a QSignalSpy can count.
class Receiver : public QObject {
    Q_OBJECT
public:
    void take(int value)
    {
        onGuiThread = onGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
        emit delivered(value);
    }
    bool onGuiThread = true;
signals:
    void delivered(int value);
    void progressed(int permille);
};

// Waits (on a worker) until `release` is set or the token says stop; says which came first.
bool waitFor(const std::atomic_bool &release, const BackgroundRun &run, int timeoutMs = 5000)
{
    QElapsedTimer timer;
    timer.start();
    while (!release.load() && !run.isCancelled() && timer.elapsed() < timeoutMs)
        QThread::msleep(1);
    return run.isCancelled();
}

} // namespace

class TestBackgroundTask : public QObject {
    Q_OBJECT
private slots:
    void latestWins()
    {
        Receiver receiver;
        QSignalSpy delivered(&receiver, &Receiver::delivered);
        BackgroundTask task;
        auto release = std::make_shared<std::atomic_bool>(false);
        auto firstEnded = std::make_shared<std::atomic_bool>(false);
        task.start([release, firstEnded](const BackgroundRun &run) {
                       // Ignores its token on purpose: a stale answer must be dropped even when
                       // the work finishes anyway.
                       while (!release->load())
                           QThread::msleep(1);
                       (void)run;
                       firstEnded->store(true);
                       return 1;
                   },
                   [&receiver](int v) { receiver.take(v); });
        const quint64 first = task.generation();
        task.start([](const BackgroundRun &) { return 2; }, [&receiver](int v) { receiver.take(v); });
        QVERIFY(task.generation() > first);
        QVERIFY(task.isBusy());
        QVERIFY(delivered.wait(5000));
        QCOMPARE(delivered.size(), 1);
        QCOMPARE(delivered.front().at(0).toInt(), 2);
        QVERIFY(!task.isBusy());
        release->store(true);
        QTRY_VERIFY(firstEnded->load());
        QTRY_COMPARE(task.runningWorks(), 0);
        QTest::qWait(50);   // the stale answer had its chance to arrive
        QCOMPARE(delivered.size(), 1);
    }

    void cancelReachesTheWork()
    {
        Receiver receiver;
        QSignalSpy delivered(&receiver, &Receiver::delivered);
        BackgroundTask task;
        auto never = std::make_shared<std::atomic_bool>(false);
        auto sawCancel = std::make_shared<std::atomic_int>(0);
        auto work = [never, sawCancel](const BackgroundRun &run) {
            const bool cancelled = waitFor(*never, run);
            if (cancelled)
                sawCancel->fetch_add(1);
            // A core function sees the same token through the Progress it is given.
            const Progress progress = run.progress([](int, const QString &) {});
            return progress.cancelled() ? 1 : 0;
        };
        task.start(work, [&receiver](int v) { receiver.take(v); });
        task.cancel();
        QVERIFY(!task.isBusy());
        QTRY_COMPARE(sawCancel->load(), 1);
        // Starting a new run cancels the one before it, too.
        task.start(work, [&receiver](int v) { receiver.take(v); });
        task.start([](const BackgroundRun &) { return 7; }, [&receiver](int v) { receiver.take(v); });
        QTRY_COMPARE(sawCancel->load(), 2);
        QTRY_COMPARE(delivered.size(), 1);
        QTRY_COMPARE(task.runningWorks(), 0);
        QTest::qWait(50);
        QCOMPARE(delivered.size(), 1);   // only the latest run's answer
        QCOMPARE(delivered.front().at(0).toInt(), 7);
    }

    void deliveredOnTheGuiThread()
    {
        Receiver receiver;
        QSignalSpy delivered(&receiver, &Receiver::delivered);
        QSignalSpy progressed(&receiver, &Receiver::progressed);
        BackgroundTask task;
        auto workThread = std::make_shared<std::atomic<QThread *>>(nullptr);
        auto progressOnGui = std::make_shared<bool>(true);
        task.start(
            [workThread, progressOnGui, &receiver](const BackgroundRun &run) {
                workThread->store(QThread::currentThread());
                const Progress progress = run.progress([progressOnGui, &receiver](int permille, const QString &) {
                    *progressOnGui = *progressOnGui && QThread::currentThread() == QCoreApplication::instance()->thread();
                    emit receiver.progressed(permille);
                });
                for (int i = 0; i <= 10; ++i) {
                    progress(i, 10, QStringLiteral("step"));
                    progress(i, 10, QStringLiteral("same step again"));   // one report per 0.1 % step
                }
                return 42;
            },
            [&receiver](int v) { receiver.take(v); });
        QVERIFY(delivered.wait(5000));
        QCOMPARE(delivered.front().at(0).toInt(), 42);
        QVERIFY(receiver.onGuiThread);
        QVERIFY(workThread->load() != nullptr);
        QVERIFY(workThread->load() != QCoreApplication::instance()->thread());
        QCOMPARE(progressed.size(), 11);   // posted before the result, so all arrived first
        QCOMPARE(progressed.last().at(0).toInt(), 1000);
        QVERIFY(*progressOnGui);

        // Void work: deliver() takes nothing.
        bool voidDelivered = false;
        task.start([](const BackgroundRun &) {}, [&voidDelivered] { voidDelivered = true; });
        QTRY_VERIFY(voidDelivered);
    }

    void staleProgressIsDropped()
    {
        Receiver receiver;
        QSignalSpy progressed(&receiver, &Receiver::progressed);
        BackgroundTask task;
        auto release = std::make_shared<std::atomic_bool>(false);
        auto reported = std::make_shared<std::atomic_bool>(false);
        task.start(
            [release, reported, &receiver](const BackgroundRun &run) {
                const Progress progress = run.progress([&receiver](int permille, const QString &) { emit receiver.progressed(permille); });
                while (!release->load())
                    QThread::msleep(1);
                progress(5, 10, QStringLiteral("late"));
                reported->store(true);
                return 0;
            },
            [](int) {});
        task.cancel();
        release->store(true);
        QTRY_VERIFY(reported->load());
        QTest::qWait(50);
        QCOMPARE(progressed.size(), 0);
    }

    void noDeliveryAfterTheOwnerIsDestroyed()
    {
        Receiver receiver;
        QSignalSpy delivered(&receiver, &Receiver::delivered);
        QSignalSpy progressed(&receiver, &Receiver::progressed);
        auto release = std::make_shared<QSemaphore>(0);
        auto ended = std::make_shared<std::atomic_bool>(false);
        auto sawCancel = std::make_shared<std::atomic_bool>(false);
        auto *owner = new QObject;
        auto *task = new BackgroundTask(owner);
        task->start(
            [release, ended, sawCancel, &receiver](const BackgroundRun &run) {
                const Progress progress = run.progress([&receiver](int permille, const QString &) { emit receiver.progressed(permille); });
                release->acquire();
                sawCancel->store(run.isCancelled());
                progress(1, 2, QStringLiteral("after the owner is gone"));
                ended->store(true);
                return 1;
            },
            [&receiver](int v) { receiver.take(v); });
        // A result already on its way (posted, not yet delivered) is dropped too.
        auto *second = new BackgroundTask(owner);
        second->start([](const BackgroundRun &) { return 2; }, [&receiver](int v) { receiver.take(v); });
        // Waits without turning the event loop: its answer is posted, not delivered.
        for (int i = 0; i < 5000 && second->runningWorks() > 0; ++i)
            QThread::msleep(1);
        QThread::msleep(50);
        QCOMPARE(second->runningWorks(), 0);
        delete owner;
        release->release();
        QTRY_VERIFY(ended->load());
        QVERIFY(sawCancel->load());   // destroying the task cancelled the work
        QTest::qWait(100);
        QCOMPARE(delivered.size(), 0);
        QCOMPARE(progressed.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBackgroundTask)
#include "tst_backgroundtask.moc"
