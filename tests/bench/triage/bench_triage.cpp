// tests/bench/triage: `lockstep-cli triage` of a failed 1,000,000-row job's result files — Data
// Loader's error file (12 % of the rows, UNABLE_TO_LOCK_ROW) and success file (the rest), made
// here from the shared generated source — against `lockstep-cli analyze` of the source alone,
// in turn, in the same run. Target (issue 12): triage in under 5x the time of analyze. The two
// result files together hold every row, with more bytes than the source.
// $LOCKSTEP_BENCH_ROWS (default 1000000), $LOCKSTEP_BENCH_REPEATS (default 5).
#include "BenchProcess.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace lockstep::bench;
namespace fs = std::filesystem;

namespace {

// The job's result files as Data Loader writes them: every field quoted as the sample writes
// them, the error file the row and ERROR, the success file ID, the row and STATUS. About one
// row in eight (12 %, by a fixed hash of its number) failed on a lock.
bool writeResultFiles(const std::string &source, const std::string &error, const std::string &success)
{
    std::ifstream in(source);
    std::ofstream err(error), ok(success);
    std::string line;
    if (!in || !err || !ok || !std::getline(in, line))
        return false;
    err << line << ",\"ERROR\"\n";
    ok << "\"ID\"," << line << ",\"STATUS\"\n";
    for (std::uint64_t n = 0; std::getline(in, line); ++n) {
        std::uint64_t h = (n + 1) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
        if (h % 100 < 12)
            err << line << ",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001000000000000AAA:--\"\n";
        else
            ok << line.substr(0, line.find(',')) << ',' << line << ",\"Item Updated\"\n";
    }
    return bool(err) && bool(ok);
}

} // namespace

int main()
{
    const std::string cli = env("LOCKSTEP_CLI", "lockstep-cli");
    const std::string rows = env("LOCKSTEP_BENCH_ROWS", "1000000");
    const int repeats = std::max(1, std::stoi(env("LOCKSTEP_BENCH_REPEATS", "5")));
    const std::string dir = benchDirectory();
    const std::string file = dir + "/bench-triage-" + rows + ".csv";
    const std::string error = dir + "/bench-triage-" + rows + "-error.csv", success = dir + "/bench-triage-" + rows + "-success.csv";
    if (!ensureSample(cli, file, rows))
        return 1;
    if (!writeResultFiles(file, error, success)) {
        std::fprintf(stderr, "bench_triage: cannot write the result files in %s\n", dir.c_str());
        return 1;
    }
    const std::vector<std::string> analyze{cli, "analyze", file, "-q"}, triage{cli, "triage", error, success, "-q"};
    // Warm-up (page cache), then in turn so drift hits both alike. triage exits 3: rows failed.
    if (runCommand(analyze).exitCode != 0 || runCommand(triage).exitCode != 3) {
        std::fprintf(stderr, "bench_triage: a warm-up run failed\n");
        return 1;
    }
    std::vector<double> analyzeSeconds, triageSeconds;
    long triageRss = 0;
    for (int i = 0; i < repeats; ++i) {
        const Run a = runCommand(analyze);
        const Run t = runCommand(triage);
        if (a.exitCode != 0 || t.exitCode != 3) {
            std::fprintf(stderr, "bench_triage: analyze exited %d, triage %d\n", a.exitCode, t.exitCode);
            return 1;
        }
        analyzeSeconds.push_back(a.seconds);
        triageSeconds.push_back(t.seconds);
        triageRss = std::max(triageRss, t.peakRssKb);
    }
    const double ratio = median(triageSeconds) / median(analyzeSeconds);
    std::printf("bench_triage: %s rows; source %.0f MB, result files %.0f MB; medians of %d runs each, in turn\n", rows.c_str(),
                double(fs::file_size(file)) / 1e6, double(fs::file_size(error) + fs::file_size(success)) / 1e6, repeats);
    std::printf("  analyze source          %7.3f s\n", median(analyzeSeconds));
    std::printf("  triage error + success  %7.3f s  peak RSS %.0f MB\n", median(triageSeconds), double(triageRss) / 1024);
    std::printf("  triage / analyze        %7.2fx (target < 5)\n", ratio);
    std::printf("  %s\n", ratio < 5.0 ? "PASS" : "FAIL");
    return ratio < 5.0 ? 0 : 1;
}
