#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// lockstep-cli predict FILE [--mitigation M | --compare]: lock errors, duration, API calls and
// ratio to the lower bound, predicted on the lock engine in virtual time.
class PredictCommand : public Command {
public:
    QString name() const override { return QStringLiteral("predict"); }
    QString summary() const override { return QStringLiteral("Predict lock errors and duration of a load, per mitigation"); }
    int run(const QStringList &arguments) override;
};

} // namespace lockstep::cli
