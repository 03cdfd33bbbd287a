#pragma once

#include "common/Error.h"
#include "common/Format.h"
#include "common/Progress.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QString>
#include <QTextStream>

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

} // namespace lockstep::cli
