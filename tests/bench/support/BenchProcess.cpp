#include "BenchProcess.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace lockstep::bench {

Run runCommand(const std::vector<std::string> &argv, const std::string &stdoutPath)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdoutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    Run run;
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return run;
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.peakRssKb = usage.ru_maxrss;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    posix_spawn_file_actions_destroy(&actions);
    return run;
}

namespace {

double monotonicSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

Child::Child(const std::vector<std::string> &argv, const std::string &stdoutPath, const std::string &stderrPath)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdoutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!stderrPath.empty())
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    m_started = monotonicSeconds();
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) == 0)
        m_pid = pid;
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[0]);
    m_stdin = pipeFds[1];
}

Child::~Child()
{
    if (m_pid > 0 && !m_reaped) {
        ::kill(m_pid, SIGKILL);
        wait();
    }
    if (m_stdin >= 0)
        ::close(m_stdin);
}

double Child::secondsSinceStart() const
{
    return monotonicSeconds() - m_started;
}

void Child::reap(int status, long peakRssKb)
{
    m_reaped = true;
    m_run.seconds = secondsSinceStart();
    m_run.peakRssKb = peakRssKb;
    m_run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool Child::running()
{
    if (m_pid <= 0 || m_reaped)
        return false;
    int status = 0;
    rusage usage{};
    if (wait4(m_pid, &status, WNOHANG, &usage) == m_pid)
        reap(status, usage.ru_maxrss);
    return !m_reaped;
}

void Child::signal(int sig)
{
    if (m_pid > 0 && !m_reaped)
        ::kill(m_pid, sig);
}

Run Child::wait()
{
    if (m_pid > 0 && !m_reaped) {
        int status = 0;
        rusage usage{};
        if (wait4(m_pid, &status, 0, &usage) == m_pid)
            reap(status, usage.ru_maxrss);
    }
    return m_run;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

bool ensureSample(const std::string &cli, const std::string &file, const std::string &rows)
{
    if (std::filesystem::exists(file))
        return true;
    std::fprintf(stderr, "generating %s rows...\n", rows.c_str());
    const Run gen = runCommand({cli, "sample", "--object", "Opportunity", "--rows", rows, "--parents", "5000", "--skew",
                                "zipf:0.6", "--house-account", "12000", "--seed", "1", "-q", "-o", file});
    if (gen.exitCode != 0) {
        std::fprintf(stderr, "sample failed (%d)\n", gen.exitCode);
        return false;
    }
    std::fprintf(stderr, "generated in %.2f s\n", gen.seconds);
    return true;
}

std::string env(const char *name, const std::string &fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::string benchDirectory()
{
    const std::string dir = env("LOCKSTEP_BENCH_DIR", std::filesystem::current_path().string());
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace lockstep::bench
