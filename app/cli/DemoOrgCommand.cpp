#include "cli/DemoOrgCommand.h"

#include "cli/CliSupport.h"
#include "demoorg/DemoOrg.h"

#include <QCommandLineParser>
#include <QFile>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

namespace lockstep::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

extern "C" void onStopSignal(int)
{
    // Only async-signal-safe work here: wake the event loop through the pipe.
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

} // namespace

int DemoOrgCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(summary() + QStringLiteral(
        ".\n\nUsage: lockstep-cli demo-org serve [options] [FILE...]\n\n"
        "Serves the Salesforce REST, sObject Collections, Bulk API 1.0/2.0, OAuth and Metadata (duplicate "
        "rules) APIs on 127.0.0.1, keeps records in SQLite and runs every write through the lock engine in "
        "real time, scaled. When it listens it prints one JSON line on stdout: instance_url, client_id, "
        "client_secret, username, password, access_token. It runs until SIGINT or SIGTERM (or, with "
        "--stop-with-parent, until its stdin closes).\n\n"
        "Exit status: 0 stopped cleanly, 64 bad usage, 65 bad profile or seed file, 74 cannot listen or store."));
    parser.addPositionalArgument(QStringLiteral("serve"), QStringLiteral("The action (only 'serve')."));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port on 127.0.0.1; 0 = any free port (default 0)."), QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption scale(QStringLiteral("scale"), QStringLiteral("Wall seconds per platform second: 0.01 turns the 10 s lock timeout into 100 ms (default 1)."), QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("An OrgProfile JSON file (or {orgProfile, demoOrg})."), QStringLiteral("P.json"));
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("Directory for the org's database (default: a temporary one, removed on exit)."), QStringLiteral("DIR"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed for server-time variation and fault injection (default 1)."), QStringLiteral("K"), QStringLiteral("1"));
    const QCommandLineOption faults(QStringLiteral("faults"), QStringLiteral("Fault rates, e.g. 500=0.02,503=0.01,drop=0.01,slow=0.05:2000,expire=0.005,limit=0.01."), QStringLiteral("SPEC"));
    const QCommandLineOption seedFrom(QStringLiteral("seed-from"), QStringLiteral("Create every record this load file refers to (repeatable; more FILEs may follow)."), QStringLiteral("FILE"));
    const QCommandLineOption jwtCert(QStringLiteral("jwt-cert"), QStringLiteral("The connected app's certificate (PEM): JWT bearer logins signed with its key are accepted, "
                                                                                "issued by the printed client_id for the printed username."), QStringLiteral("FILE"));
    // For audits of a client (tests/org/tst_secretsweep): what it was given that it must never write.
    const QCommandLineOption issuedSecrets(QStringLiteral("issued-secrets"),
                                           QStringLiteral("Append every access token, refresh token and authorization code the org issues to FILE, one per "
                                                          "line, so an audit can check that a client keeps them out of its logs and files."),
                                           QStringLiteral("FILE"));
    // A parent that starts the org (the window, a test) keeps the pipe to its stdin open; when
    // the parent exits — or crashes, or is killed — the pipe closes and the org stops with it,
    // so no orphan keeps the port and the database.
    const QCommandLineOption stopWithParent(QStringLiteral("stop-with-parent"), QStringLiteral("Stop when stdin closes (the process that started the org exited)."));
    for (const auto &o : {port, scale, profile, data, seed, faults, seedFrom, jwtCert, issuedSecrets, stopWithParent})
        parser.addOption(o);
    int code = 0;
    if (!parseArguments(parser, name(), arguments, code))
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty() || positional.front() != QLatin1String("serve"))
        return usageError(QStringLiteral("expected the action 'serve'"), name());

    demoorg::DemoOrgOptions options;
    bool ok = false;
    const uint portValue = parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535)
        return usageError(QStringLiteral("--port must be between 0 and 65535"), name());
    options.port = quint16(portValue);
    if (parser.isSet(profile)) {
        auto loaded = demoorg::DemoProfile::load(parser.value(profile));
        if (!loaded)
            return report(loaded.error());
        options.profile = *loaded;
    }
    options.profile.scale = parser.value(scale).toDouble(&ok);
    if (!ok || !std::isfinite(options.profile.scale) || options.profile.scale < 0 || options.profile.scale > 100)
        return usageError(QStringLiteral("--scale must be a number between 0 and 100"), name());
    options.seed = parser.value(seed).toULongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("--seed must be a non-negative integer"), name());
    if (parser.isSet(faults)) {
        auto spec = demoorg::FaultSpec::parse(parser.value(faults));
        if (!spec)
            return usageError(spec.error().message, name());
        options.faults = *spec;
    }
    options.dataDir = parser.value(data);
    options.seedFrom = parser.values(seedFrom) + positional.mid(1);
    options.issuedSecretsFile = parser.value(issuedSecrets);
    if (parser.isSet(jwtCert)) {
        QFile certificate(parser.value(jwtCert));
        if (!certificate.open(QIODevice::ReadOnly))
            return report(Error{ErrorKind::NotFound, QStringLiteral("cannot read the certificate: %1").arg(certificate.errorString()), certificate.fileName()});
        options.jwtCertificate = certificate.readAll();
        if (!options.jwtCertificate.contains("-----BEGIN CERTIFICATE-----"))
            return report(Error{ErrorKind::BadData, QStringLiteral("not a PEM certificate (-----BEGIN CERTIFICATE-----)"), certificate.fileName()});
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return report(Error{ErrorKind::Internal, QStringLiteral("cannot create the signal pipe")});
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[0], &c, 1);
        QCoreApplication::quit();
    });
    std::unique_ptr<QSocketNotifier> stdinWatch;
    if (parser.isSet(stopWithParent)) {
        stdinWatch = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(stdinWatch.get(), &QSocketNotifier::activated, [&] {
            char buffer[256];
            const auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {   // end of file: the parent is gone
                stdinWatch->setEnabled(false);
                err() << "demo-org: stdin closed" << Qt::endl;
                QCoreApplication::quit();
            }
        });
    }
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGPIPE, SIG_IGN);

    auto org = demoorg::DemoOrg::start(options);
    if (!org)
        return report(org.error());
    if (!options.seedFrom.isEmpty()) {
        const auto &s = (*org)->seedSummary();
        err() << "demo-org: seeded " << grouped(s.created) << " records from " << s.files << " file(s) (" << grouped(s.existing)
              << " already there, " << grouped(s.skipped) << " not modelled)" << Qt::endl;
    }
    // The one line a parent process waits for. It carries secrets: stdout only, never stderr.
    const QByteArray line = QJsonDocument((*org)->connectionJson()).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
    err() << "demo-org: listening on " << (*org)->instanceUrl() << " (scale " << options.profile.scale << "); stop with Ctrl-C" << Qt::endl;

    QCoreApplication::exec();
    err() << "demo-org: stopping" << Qt::endl;
    (*org)->stop();
    org->reset();
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    return ExitCode::Ok;
}

} // namespace lockstep::cli
