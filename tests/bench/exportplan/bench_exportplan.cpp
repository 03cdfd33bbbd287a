// tests/bench/exportplan: `lockstep-cli export-plan` (sort by parent, and lanes) on a generated
// 2,000,000-row file against seed 000's pandas workaround #2 (tests/bench/exportplan/
// sort_by_parent.py, Debian's python3 with python3-pandas) on the same file, in turn, in the same
// run. Targets (issue 10): each export at least 20x faster than pandas, with at most 0.25x its
// peak resident memory (wait4's rusage of each process). Without pandas: exit 77, SKIPPED.
// $LOCKSTEP_BENCH_ROWS, $LOCKSTEP_BENCH_REPEATS (default 3), $LOCKSTEP_BENCH_PYTHON.
#include "BenchProcess.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace lockstep::bench;
namespace fs = std::filesystem;

namespace {

struct Series {
    std::string name;
    std::vector<std::string> argv;
    std::vector<double> seconds;
    long peakRssKb = 0;
};

// Bytes of every CSV in `dir`, less one header per file after the first: what the source holds
// when every row is there exactly once, as it was.
std::uintmax_t rowBytes(const std::string &dir, std::uintmax_t headerBytes)
{
    std::uintmax_t bytes = 0;
    int files = 0;
    for (const auto &e : fs::directory_iterator(dir))
        if (e.path().extension() == ".csv") {
            bytes += e.file_size();
            ++files;
        }
    return files == 0 ? 0 : bytes - std::uintmax_t(files - 1) * headerBytes;
}

} // namespace

int main()
{
    const std::string cli = env("LOCKSTEP_CLI", "lockstep-cli");
    const std::string python = env("LOCKSTEP_BENCH_PYTHON", "/usr/bin/python3");
    const std::string rows = env("LOCKSTEP_BENCH_ROWS", "2000000");
    const int repeats = std::max(1, std::stoi(env("LOCKSTEP_BENCH_REPEATS", "3")));
    const std::string dir = benchDirectory();
    const std::string file = dir + "/bench-exportplan-" + rows + ".csv";

    if (runCommand({python, "-c", "import pandas"}).exitCode != 0) {
        std::printf("bench_exportplan: SKIPPED — %s has no pandas (Debian: apt-get install python3-pandas, "
                    "or ./scripts/setup); the baseline cannot run, so nothing is compared\n",
                    python.c_str());
        return 77;
    }
    if (!ensureSample(cli, file, rows))
        return 1;
    const std::uintmax_t sourceBytes = fs::file_size(file);
    std::uintmax_t headerBytes = 0;
    if (FILE *f = std::fopen(file.c_str(), "rb")) {
        for (int c = 0; (c = std::fgetc(f)) != EOF && c != '\n';)
            ++headerBytes;
        ++headerBytes;
        std::fclose(f);
    }

    const std::string sortDir = dir + "/bench-exportplan-sort", lanesDir = dir + "/bench-exportplan-lanes";
    std::vector<Series> series{
        {"pandas (seed 000 #2)", {python, LOCKSTEP_PANDAS_SCRIPT, file, dir + "/bench-exportplan-pandas.csv"}, {}, 0},
        {"export-plan -m sort", {cli, "export-plan", file, "-m", "sort", "-o", sortDir, "-q"}, {}, 0},
        {"export-plan -m lanes", {cli, "export-plan", file, "-m", "lanes", "-o", lanesDir, "-q"}, {}, 0},
    };
    // A warm-up of each (page cache, bytecode), then in turn so drift hits all alike.
    for (auto &s : series)
        if (runCommand(s.argv).exitCode != 0) {
            std::fprintf(stderr, "%s failed\n", s.name.c_str());
            return 1;
        }
    for (int i = 0; i < repeats; ++i)
        for (auto &s : series) {
            const Run r = runCommand(s.argv);
            if (r.exitCode != 0) {
                std::fprintf(stderr, "%s failed (%d)\n", s.name.c_str(), r.exitCode);
                return 1;
            }
            s.seconds.push_back(r.seconds);
            s.peakRssKb = std::max(s.peakRssKb, r.peakRssKb);
        }
    // The exports hold the source's rows, byte for byte, once.
    if (rowBytes(sortDir, headerBytes) != sourceBytes || rowBytes(lanesDir, headerBytes) != sourceBytes) {
        std::fprintf(stderr, "an export does not hold the source's bytes (sort %ju, lanes %ju, source %ju)\n",
                     rowBytes(sortDir, headerBytes), rowBytes(lanesDir, headerBytes), sourceBytes);
        return 1;
    }

    const Series &pandas = series[0];
    std::printf("bench_exportplan: %s rows, %.0f MB; medians of %d runs each, in turn\n", rows.c_str(), double(sourceBytes) / 1e6, repeats);
    for (const auto &s : series)
        std::printf("  %-22s %7.3f s  peak RSS %6.0f MB\n", s.name.c_str(), median(s.seconds), double(s.peakRssKb) / 1024);
    bool ok = true;
    for (size_t i = 1; i < series.size(); ++i) {
        const double speed = median(pandas.seconds) / median(series[i].seconds);
        const double memory = double(series[i].peakRssKb) / double(pandas.peakRssKb);
        std::printf("  %-22s %5.1fx faster than pandas (target >= 20), %.2fx its peak memory (target <= 0.25)\n",
                    series[i].name.c_str(), speed, memory);
        ok = ok && speed >= 20.0 && memory <= 0.25;
    }
    std::printf("  %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
