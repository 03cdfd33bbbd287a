#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli demo-org serve: runs the demo org on 127.0.0.1 until SIGINT/SIGTERM (or, with
// --stop-with-parent, until its stdin closes) and prints one JSON line with its URL and
// credentials when it listens.
class DemoOrgCommand : public Command {
public:
    QString name() const override { return QStringLiteral("demo-org"); }
    QString summary() const override { return QStringLiteral("Run a local Salesforce-compatible org that reproduces lock contention"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
