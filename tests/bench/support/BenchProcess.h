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

// Where big generated files go: $LOCKSTEP_BENCH_DIR, else the build tree's bench folder.
std::string benchDirectory();
std::string env(const char *name, const std::string &fallback);

} // namespace lockstep::bench
