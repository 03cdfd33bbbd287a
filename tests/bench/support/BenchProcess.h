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

// A command started now and waited for later (a server beside the bench, a run to kill
// partway). stdin is a pipe the bench holds: a child told to stop when its stdin closes
// (demo-org serve --stop-with-parent) never outlives the bench.
class Child {
public:
    Child(const std::vector<std::string> &argv, const std::string &stdoutPath = "/dev/null",
          const std::string &stderrPath = "");   // stderr: inherited unless a path is given
    ~Child();   // kills (SIGKILL) and reaps a child still running
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;

    bool started() const { return m_pid > 0; }
    int pid() const { return m_pid; }
    bool running();                  // false once it exited (it is then reaped)
    void signal(int sig);
    Run wait();                      // blocks; wall time from the start, peak RSS, exit code
    double secondsSinceStart() const;

private:
    int m_pid = -1;
    int m_stdin = -1;
    bool m_reaped = false;
    Run m_run;
    double m_started = 0;
    void reap(int status, long peakRssKb);
};

double median(std::vector<double> values);

// The load file the benches share, made once: `lockstep-cli sample` of `rows` Opportunities over
// 5,000 Accounts (Zipf 0.6, one holding 12,000, seed 1). False (said on stderr) when sample fails.
bool ensureSample(const std::string &cli, const std::string &file, const std::string &rows);

// Where big generated files go: $LOCKSTEP_BENCH_DIR, else the build tree's bench folder.
std::string benchDirectory();
std::string env(const char *name, const std::string &fallback);

} // namespace lockstep::bench
