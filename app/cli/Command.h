#pragma once

#include <QString>
#include <QStringList>

namespace lockstep::cli {

// One `lockstep-cli <name>` subcommand. run() returns the process exit code.
class Command {
public:
    virtual ~Command() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;
    virtual int run(const QStringList &arguments) = 0;   // arguments after the command name
};

} // namespace lockstep::cli
