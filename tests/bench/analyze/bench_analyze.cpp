// tests/bench/analyze: `lockstep-cli analyze` on a 10,000,000-row (~1 GB) file against `wc -l`
// on the same file in the same run (the cheapest possible full read), plus analyze's peak RSS.
// Targets (issue 3): ratio <= 10, peak RSS <= 1.5 GB. Rows: $LOCKSTEP_BENCH_ROWS.
#include "BenchProcess.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace lockstep::bench;

int main()
{
    const std::string cli = env("LOCKSTEP_CLI", "lockstep-cli");
    const std::string rows = env("LOCKSTEP_BENCH_ROWS", "10000000");
    const std::string file = benchDirectory() + "/bench-analyze-" + rows + ".csv";
    const int repeats = std::stoi(env("LOCKSTEP_BENCH_REPEATS", "5"));

    if (!ensureSample(cli, file, rows))
        return 1;
    const double gigabytes = double(std::filesystem::file_size(file)) / 1e9;

    // Warm the page cache for both, then alternate them so drift hits both alike.
    runCommand({"wc", "-l", file});
    runCommand({cli, "analyze", "-q", file});
    std::vector<double> wc, analyze;
    long peakRss = 0;
    for (int i = 0; i < repeats; ++i) {
        const Run w = runCommand({"wc", "-l", file});
        const Run a = runCommand({cli, "analyze", "-q", file});
        if (w.exitCode != 0 || a.exitCode != 0) {
            std::fprintf(stderr, "a run failed: wc %d, analyze %d\n", w.exitCode, a.exitCode);
            return 1;
        }
        wc.push_back(w.seconds);
        analyze.push_back(a.seconds);
        peakRss = std::max(peakRss, a.peakRssKb);
    }
    const double ratio = median(analyze) / median(wc);
    std::printf("bench_analyze: %s rows, %.2f GB\n", rows.c_str(), gigabytes);
    std::printf("  wc -l            median %.3f s\n", median(wc));
    std::printf("  lockstep analyze median %.3f s  (%.0f MB/s)\n", median(analyze), gigabytes * 1000 / median(analyze));
    std::printf("  ratio analyze / wc -l: %.1f   (target <= 10)\n", ratio);
    std::printf("  analyze peak RSS: %.0f MB   (target <= 1536 MB)\n", double(peakRss) / 1024);
    const bool ok = ratio <= 10.0 && peakRss <= 1536L * 1024;
    std::printf("  %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
