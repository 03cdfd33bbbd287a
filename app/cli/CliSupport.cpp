#include "cli/CliSupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLocale>
#include <QRegularExpression>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <unistd.h>

namespace lockstep::cli {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int report(const Error &error)
{
    err() << "lockstep-cli: " << error.toString() << Qt::endl;
    return exitCodeFor(error.kind);
}

int usageError(const QString &message, const QString &command)
{
    err() << "lockstep-cli " << command << ": " << message << "\n"
          << "Try 'lockstep-cli " << command << " --help'." << Qt::endl;
    return ExitCode::Usage;
}

bool parseArguments(QCommandLineParser &parser, const QString &command, const QStringList &arguments, int &exitCode)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv{QStringLiteral("lockstep-cli ") + command};
    argv += arguments;
    if (!parser.parse(argv)) {
        exitCode = usageError(parser.errorText(), command);
        return false;
    }
    if (parser.isSet(help)) {
        // Qt names the program by the path it was started with ("./app/cli/lockstep-cli"): the
        // usage line names the command instead, as the user types it.
        QString text = parser.helpText();
        static const QRegularExpression program(QStringLiteral("^Usage: \\S+"));
        text.replace(program, QStringLiteral("Usage: lockstep-cli ") + command);
        out() << text;
        out().flush();
        exitCode = ExitCode::Ok;
        return false;
    }
    return true;
}

namespace {
CancelToken *g_token = nullptr;

extern "C" void onSignal(int)
{
    if (g_token)
        g_token->cancel();
}
} // namespace

StderrProgress::StderrProgress(bool enabled) : m_enabled(enabled && ::isatty(STDERR_FILENO))
{
    static CancelToken token;
    token = m_progress.cancel;
    g_token = &token;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (!m_enabled)
        return;
    auto timer = std::make_shared<QElapsedTimer>();
    auto mutex = std::make_shared<std::mutex>();
    timer->start();
    m_progress.report = [timer, mutex, last = std::make_shared<qint64>(-1000)](qint64 done, qint64 total,
                                                                            const QString &phase) {
        std::lock_guard lock(*mutex);
        const qint64 now = timer->elapsed();
        if (now - *last < 100 && done < total)
            return;
        *last = now;
        QString line = phase;
        if (total > 0)
            line += QStringLiteral(" %1%").arg(done * 100 / total);
        std::fprintf(stderr, "\r\033[K%s", line.toLocal8Bit().constData());
        std::fflush(stderr);
    };
}

StderrProgress::~StderrProgress()
{
    finish();
}

void StderrProgress::finish()
{
    if (m_enabled) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_enabled = false;
    }
}

void writeJson(const QJsonDocument &document)
{
    out() << document.toJson(QJsonDocument::Indented);
    out().flush();
}

std::optional<std::vector<qint64>> parseRowList(const QString &text)
{
    std::vector<qint64> rows;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList range = part.trimmed().split(QLatin1Char('-'));
        bool ok1 = false, ok2 = true;
        const qint64 from = range.value(0).toLongLong(&ok1);
        const qint64 to = range.size() == 2 ? range[1].toLongLong(&ok2) : from;
        // At most 10,000,000 rows in all: a list is for picking rows, not for naming a file twice over.
        if (!ok1 || !ok2 || range.size() > 2 || from < 1 || to < from || qint64(rows.size()) + (to - from + 1) > 10000000)
            return std::nullopt;
        for (qint64 r = from; r <= to; ++r)
            rows.push_back(r - 1);
    }
    return rows;
}

} // namespace lockstep::cli
