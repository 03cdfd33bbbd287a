#pragma once

#include "cli/Command.h"

#include <memory>
#include <vector>

namespace lockstep::cli {

// Dispatches `lockstep-cli COMMAND ...` to its Command; owns --help and --version.
class CliApp {
public:
    CliApp();
    ~CliApp();
    int run(const QStringList &arguments);   // arguments without the program name

private:
    void printHelp() const;
    std::vector<std::unique_ptr<Command>> m_commands;
};

} // namespace lockstep::cli
