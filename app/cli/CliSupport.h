#pragma once

#include "common/Error.h"
#include "common/Format.h"
#include "common/Progress.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QString>
#include <QTextStream>

#include <optional>
#include <vector>

namespace lockstep::cli {

QTextStream &out();
QTextStream &err();

using lockstep::grouped;   // "90,000" for people; JSON gets plain numbers
using lockstep::percent;

// Prints "lockstep-cli: <message>" on stderr and returns the exit code for the error.
int report(const Error &error);
int usageError(const QString &message, const QString &command);

// Parses `arguments` for a subcommand; handles --help itself. Returns false and sets `exitCode`
// when the command should stop (help printed, or a usage error).
bool parseArguments(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                    int &exitCode);

// Progress on stderr, redrawn in place at most 10 times a second, only when stderr is a
// terminal (and not --quiet); Ctrl-C cancels through the token.
class StderrProgress {
public:
    explicit StderrProgress(bool enabled);
    ~StderrProgress();
    Progress progress() const { return m_progress; }
    CancelToken token() const { return m_progress.cancel; }
    void finish();

private:
    Progress m_progress;
    bool m_enabled;
};

void writeJson(const QJsonDocument &document);

// "5,7,10-20" (1-based, as editors and result files count rows) → 0-based rows; nullopt when it
// is not such a list or names more than 10,000,000 rows.
std::optional<std::vector<qint64>> parseRowList(const QString &text);

} // namespace lockstep::cli
