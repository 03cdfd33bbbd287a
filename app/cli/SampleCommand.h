#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli sample: writes a realistic, seeded load file for tests and demos.
class SampleCommand : public Command {
public:
    QString name() const override { return QStringLiteral("sample"); }
    QString summary() const override { return QStringLiteral("Write a realistic sample load file (valid Ids, chosen skew)"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
