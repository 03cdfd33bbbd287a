// RetryPolicy's plan and backoff: a plan of some rows of a file keeps the file's key ids, counts
// each parent's children over the whole file, runs every selected row exactly once, keeps rows
// of one parent in one lane, and is predicted on the rows' own keys; the backoff is full jitter.
#include "EngineFixtures.h"

#include "job/RetryPolicy.h"
#include "predict/Comparison.h"

#include <QtTest>

#include <set>

using namespace lockstep;

class TestRetryPolicy : public QObject {
    Q_OBJECT

private slots:
    void aPlanOfSomeRowsRunsEachOnceInItsParentsLane()
    {
        // 3,000 rows: one parent with 2,000 children (rows 0, 3, 6, … and then some), the rest spread.
        std::vector<std::vector<std::string>> texts;
        for (int r = 0; r < 3000; ++r)
            texts.push_back({r % 3 != 2 ? std::string("001HOUSE") : "001P" + std::to_string(r % 97)});
        const LockKeys keys = LockKeys::fromTexts(texts);
        std::vector<qint64> retried;
        for (qint64 r = 0; r < 3000; r += 5)
            retried.push_back(r);

        PlanOptions options;
        options.api = Api::RestCollections;
        auto retry = RetryPolicy::plan(keys, retried, *Mitigation::parse(QStringLiteral("lanes")), options);
        QVERIFY2(retry.has_value(), qPrintable(retry ? QString() : retry.error().message));
        QCOMPARE(retry->keys.rowCount(), qint64(retried.size()));
        QCOMPARE(retry->keys.keyCount(), keys.keyCount());   // the same ids
        const std::uint32_t house = keys.findKey("001HOUSE");
        // Children over the whole file, not the 600 retried rows.
        QCOMPARE((*retry->plan.parentChildren)[house], std::uint32_t(2000));

        const Plan onFile = retry->forFile();
        std::multiset<qint64> sent(onFile.rows.begin(), onFile.rows.end());
        QCOMPARE(sent, std::multiset<qint64>(retried.begin(), retried.end()));
        // Every batch that carries the house account's rows is in one lane (or one group of lanes).
        std::set<int> houseLanes;
        for (const PlanBatch &b : onFile.batches)
            for (const auto row : onFile.rowsOf(b))
                if (keys.firstKey(row) == house)
                    houseLanes.insert(b.lane);
        QVERIFY(!houseLanes.empty());
        QVERIFY(!houseLanes.contains(PlanBatch::kSharedQueue));

        // Predicted on its own keys: no lock error for lanes.
        const auto predicted = Comparison::predict(retry->plan, retry->keys, options.profile, SeedPolicy::fixed(2));
        QVERIFY2(predicted.has_value(), qPrintable(predicted ? QString() : predicted.error().message));
        QCOMPARE(predicted->summary.lockErrorRows, 0.0);
        // The file-row plan is not something the predictor can take on the retried rows' keys.
        QVERIFY(!Comparison::predict(onFile, retry->keys, options.profile, SeedPolicy::fixed(1)));
    }

    void nothingToRetryIsSaid()
    {
        const LockKeys keys = LockKeys::fromTexts({{"001A"}, {"001B"}});
        const auto none = RetryPolicy::plan(keys, {}, *Mitigation::parse(QStringLiteral("lanes")), PlanOptions{});
        QVERIFY(!none);
        QCOMPARE(none.error().kind, ErrorKind::Usage);
    }

    // Full jitter: uniform in [0, min(cap, base·2^(pass−1))] — spread over the whole window.
    void backoffIsFullJitter()
    {
        Random random(7);
        for (int pass = 1; pass <= 8; ++pass) {
            const double ceiling = std::min(60.0, 2.0 * std::pow(2.0, pass - 1));
            double low = 1e9, high = 0;
            for (int i = 0; i < 2000; ++i) {
                const double wait = RetryPolicy::backoffSeconds(pass, random);
                QVERIFY(wait >= 0 && wait <= ceiling);
                low = std::min(low, wait);
                high = std::max(high, wait);
            }
            QVERIFY2(low < 0.05 * ceiling && high > 0.95 * ceiling, qPrintable(QStringLiteral("pass %1: %2–%3").arg(pass).arg(low).arg(high)));
        }
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
