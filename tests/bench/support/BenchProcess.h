#pragma once

// Runs whole commands for benchmarks and measures what a user would: wall time and the peak
// resident memory of the child (wait4's rusage), without a shell in between.
#include <string>
#include <vector>

namespace lockstep::bench {

struct Run {
    double seconds = 0;
    long peakRssKb = 0;
    int exitCode = -1;
};

// argv[0] is looked up in PATH; stdout goes to /dev/null unless `stdoutPath` is given.
Run runCommand(const std::vector<std::string> &argv, const std::string &stdoutPath = "/dev/null");

double median(std::vector<double> values);

// The load file the benches share, made once: `lockstep-cli sample` of `rows` Opportunities over
// 5,000 Accounts (Zipf 0.6, one holding 12,000, seed 1). False (said on stderr) when sample fails.
bool ensureSample(const std::string &cli, const std::string &file, const std::string &rows);

// Where big generated files go: $LOCKSTEP_BENCH_DIR, else the build tree's bench folder.
std::string benchDirectory();
std::string env(const char *name, const std::string &fallback);

} // namespace lockstep::bench
