#include "cli/CliApp.h"

#include "cli/AnalyzeCommand.h"
#include "cli/CliSupport.h"
#include "cli/ExportPlanCommand.h"
#ifdef LOCKSTEP_HAVE_DEMOORG
#include "cli/DemoOrgCommand.h"
#endif
#include "cli/OrgCommand.h"
#include "cli/PlanCommand.h"
#include "cli/PredictCommand.h"
#include "cli/ExplainCommand.h"
#include "cli/RetryCommand.h"
#include "cli/RunCommand.h"
#include "cli/TriageCommand.h"
#include "cli/SampleCommand.h"

namespace lockstep::cli {

CliApp::CliApp()
{
    m_commands.push_back(std::make_unique<AnalyzeCommand>());
    m_commands.push_back(std::make_unique<SampleCommand>());
    m_commands.push_back(std::make_unique<PlanCommand>());
    m_commands.push_back(std::make_unique<PredictCommand>());
    m_commands.push_back(std::make_unique<ExportPlanCommand>());
    m_commands.push_back(std::make_unique<RunCommand>());
    m_commands.push_back(std::make_unique<JobsCommand>());
    m_commands.push_back(std::make_unique<ShowCommand>());
    m_commands.push_back(std::make_unique<ExportCommand>());
    m_commands.push_back(std::make_unique<ResumeCommand>());
    m_commands.push_back(std::make_unique<RetryCommand>());
    m_commands.push_back(std::make_unique<TriageCommand>());
    m_commands.push_back(std::make_unique<ExplainCommand>());
    m_commands.push_back(std::make_unique<CancelCommand>());
    m_commands.push_back(std::make_unique<OrgCommand>());
#ifdef LOCKSTEP_HAVE_DEMOORG
    m_commands.push_back(std::make_unique<DemoOrgCommand>());
#endif
}

CliApp::~CliApp() = default;

void CliApp::printHelp() const
{
    out() << "Usage: lockstep-cli COMMAND [options]\n\n"
             "Plan Salesforce data loads that never fail with UNABLE_TO_LOCK_ROW.\n\nCommands:\n";
    for (const auto &c : m_commands)
        out() << QStringLiteral("  %1  %2\n").arg(c->name(), -10).arg(c->summary());
    out() << "\nOptions:\n  -h, --help     Show this help (or COMMAND --help for a command).\n"
             "  -v, --version  Show the version.\n\n"
             "Exit status follows sysexits: 0 ok, 64 usage, 65 bad data, 66 missing input, 70 internal error,\n"
             "73 cannot create output, 74 I/O error, 130 interrupted.\n";
    out().flush();
}

int CliApp::run(const QStringList &arguments)
{
    if (arguments.isEmpty()) {
        printHelp();
        return ExitCode::Usage;
    }
    const QString first = arguments.constFirst();
    if (first == QLatin1String("-h") || first == QLatin1String("--help") || first == QLatin1String("help")) {
        if (arguments.size() > 1)
            return run({arguments[1], QStringLiteral("--help")});
        printHelp();
        return ExitCode::Ok;
    }
    if (first == QLatin1String("-v") || first == QLatin1String("--version")) {
        out() << "lockstep-cli " << LOCKSTEP_VERSION << Qt::endl;
        return ExitCode::Ok;
    }
    for (const auto &c : m_commands)
        if (c->name() == first)
            return c->run(arguments.mid(1));
    err() << "lockstep-cli: unknown command '" << first << "'. Try 'lockstep-cli --help'." << Qt::endl;
    return ExitCode::Usage;
}

} // namespace lockstep::cli
