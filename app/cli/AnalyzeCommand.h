#pragma once

#include "cli/Command.h"

#include <QJsonObject>

namespace lockstep {
struct FileAnalysis;
}

namespace lockstep::cli {

// lockstep-cli analyze FILE: rows, parents, skew, batch spread and bad rows of a load file.
class AnalyzeCommand : public Command {
public:
    QString name() const override { return QStringLiteral("analyze"); }
    QString summary() const override { return QStringLiteral("Show how a load file's rows spread over the parents they lock"); }
    int run(const QStringList &arguments) override;
};

QJsonObject analysisToJson(const FileAnalysis &analysis, int maxProblems);
void printAnalysis(const FileAnalysis &analysis);
void printProblems(const FileAnalysis &analysis, int maxProblems);

} // namespace lockstep::cli
