// tests/bench/predict: plan + predict against the analysis of the same file, in the same run.
//  1. The 90,000-row calibration file: every mitigation of the comparison planned and predicted
//     (one seed), each against the analysis time. Target (issue 4): < 100 ms per mitigation.
//  2. 10,000,000 rows (Zipf 0.6 over 5,000 parents plus a 12,000-row house account, as the
//     analyze bench): lanes planned and predicted in-process, against the analysis; then
//     `lockstep-cli predict FILE -m lanes` as a user runs it, for its peak RSS.
//     Targets: plan + predict < 10 s, peak RSS < 2 GB. Rows: $LOCKSTEP_BENCH_ROWS.
#include "BenchProcess.h"

#include "analysis/FileAnalysis.h"
#include "plan/Planner.h"
#include "predict/Predictor.h"
#include "sample/SampleGenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <filesystem>

using namespace lockstep;
using namespace lockstep::bench;

namespace {

double secondsOf(QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e9;
}

std::shared_ptr<FileAnalysis> analyze(const std::string &path, double &seconds)
{
    QElapsedTimer t;
    t.start();
    AnalyzeOptions options;
    options.object = QStringLiteral("Opportunity");
    auto a = analyzeFile(QString::fromStdString(path), options);
    seconds = secondsOf(t);
    if (!a) {
        std::fprintf(stderr, "analysis failed: %s\n", qPrintable(a.error().toString()));
        std::exit(1);
    }
    return *a;
}

bool ensureSample(const std::string &path, qint64 rows, qint64 house)
{
    if (std::filesystem::exists(path))
        return true;
    std::fprintf(stderr, "generating %lld rows...\n", rows);
    SampleOptions o;
    o.rows = rows;
    o.parents = 5000;
    o.skew = {SkewSpec::Kind::Zipf, 0.6};
    o.houseAccountRows = house;
    o.seed = 1;
    auto r = writeSample(QString::fromStdString(path), o);
    if (!r)
        std::fprintf(stderr, "sample failed: %s\n", qPrintable(r.error().toString()));
    return r.has_value();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int repeats = std::stoi(env("LOCKSTEP_BENCH_REPEATS", "5"));
    bool ok = true;

    // ---- 1. 90,000 rows, every mitigation ------------------------------------------------------
    const std::string small = benchDirectory() + "/bench-predict-90000.csv";
    if (!ensureSample(small, 90000, 0))
        return 1;
    std::vector<double> analyses;
    std::shared_ptr<FileAnalysis> a;
    for (int i = 0; i < repeats; ++i) {
        double s = 0;
        a = analyze(small, s);
        analyses.push_back(s);
    }
    const double analysis = median(analyses);
    std::printf("bench_predict: 90,000 rows (calibration case A), analysis median %.1f ms\n", analysis * 1000);
    std::printf("  %-44s %9s %9s %9s %8s\n", "mitigation", "plan ms", "predict", "total", "/analysis");
    const PlanOptions options;
    for (const auto &m : Mitigation::comparisonSet(true)) {
        std::vector<double> plans, predictions;
        for (int i = 0; i < repeats; ++i) {
            QElapsedTimer t;
            t.start();
            auto plan = Planner::plan(a->keys, m, options);   // components included: a fresh Planner each time
            plans.push_back(secondsOf(t));
            t.restart();
            PredictOptions po;
            auto p = Predictor::predict(*plan, a->keys, po);
            predictions.push_back(secondsOf(t));
            if (!p)
                return 1;
        }
        const double total = median(plans) + median(predictions);
        std::printf("  %-44s %9.1f %9.1f %9.1f %8.2f\n", qPrintable(m.label()), median(plans) * 1000, median(predictions) * 1000,
                    total * 1000, total / analysis);
        ok &= total < 0.100;
    }
    std::printf("  target: every mitigation < 100 ms   %s\n", ok ? "PASS" : "FAIL");

    // ---- 2. 10,000,000 rows, lanes --------------------------------------------------------------
    const qint64 rows = std::stoll(env("LOCKSTEP_BENCH_ROWS", "10000000"));
    const std::string big = benchDirectory() + "/bench-predict-" + std::to_string(rows) + ".csv";
    if (!ensureSample(big, rows, 12000))
        return 1;
    a.reset();
    double bigAnalysis = 0;
    a = analyze(big, bigAnalysis);
    QElapsedTimer t;
    t.start();
    const Planner planner(a->keys, options);
    auto plan = planner.plan({Scheduling::Lanes});
    const double planSeconds = secondsOf(t);
    if (!plan)
        return 1;
    t.restart();
    PredictOptions po;
    auto p = Predictor::predict(*plan, a->keys, po);
    const double predictSeconds = secondsOf(t);
    if (!p)
        return 1;
    const double both = planSeconds + predictSeconds;
    std::printf("bench_predict: %lld rows, lanes (%zu batches, %zu serial lanes, %lld components)\n", rows,
                plan->batches.size(), plan->lanes.size(), plan->componentCount);
    std::printf("  analysis %.2f s; plan %.2f s + predict %.2f s = %.2f s (%.2f× the analysis)   target < 10 s\n",
                bigAnalysis, planSeconds, predictSeconds, both, both / bigAnalysis);
    std::printf("  predicted: %lld lock errors, %.0f s, %.3f× the bound\n", p->lockErrorRows, p->durationSeconds, p->ratioToBound);
    ok &= both < 10.0;
    a.reset();
    *plan = Plan{};         // give the memory back before the child process runs
    *p = Prediction{};

    const std::string cli = env("LOCKSTEP_CLI", "lockstep-cli");
    const Run analyzeRun = runCommand({cli, "analyze", "-q", big});
    const Run predictRun = runCommand({cli, "predict", "-q", big, "--mitigation", "lanes", "--seeds", "1"});
    if (predictRun.exitCode != 0) {
        std::fprintf(stderr, "lockstep-cli predict failed (%d)\n", predictRun.exitCode);
        return 1;
    }
    std::printf("  lockstep-cli analyze: %.2f s, peak RSS %.0f MB\n", analyzeRun.seconds, double(analyzeRun.peakRssKb) / 1024);
    std::printf("  lockstep-cli predict -m lanes (analysis + plan + predict): %.2f s (%.2f× analyze), peak RSS %.0f MB   "
                "target < 2048 MB\n",
                predictRun.seconds, predictRun.seconds / analyzeRun.seconds, double(predictRun.peakRssKb) / 1024);
    ok &= predictRun.peakRssKb < 2048L * 1024;
    std::printf("  %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
