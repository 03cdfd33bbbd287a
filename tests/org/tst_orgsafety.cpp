// What a load must never do to an org or to a user's secrets, checked through lockstep-cli
// against a demo org in its own process:
// - duplicate rules the mitigation switched off are back on after a run that succeeds, one
//   whose rows fail, one cancelled (Ctrl-C or `lockstep-cli cancel`), and one killed (the next
//   start, or `cancel` of the dead job, switches them back);
// - no token, password or client secret in what it prints, its job store or its result files;
// - plain http:// to anything but loopback, and a TLS certificate that cannot be verified, are
//   refused with a clear message before a job is recorded.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QDirIterator>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QtTest>

#include <csignal>

using namespace lockstep;

class TestOrgSafety : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QString file;        // 4,000 Opportunities over 400 Accounts: runs for a few seconds
    QString contended;   // 4,000 over 20 Accounts: parallel fails rows with UNABLE_TO_LOCK_ROW
    int storeNumber = 0;

    QProcessEnvironment environment() const
    {
        return org.cliEnvironment();
    }

    std::unique_ptr<QProcess> start(const QStringList &arguments, const QProcessEnvironment &env)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(env);
        p->start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments);
        [&] { QVERIFY(p->waitForStarted(10000)); }();
        return p;
    }

    test::ProcessResult cli(const QStringList &arguments, const QProcessEnvironment &env)
    {
        auto p = start(arguments, env);
        test::ProcessResult r;
        r.timedOut = !p->waitForFinished(300000);
        r.crashed = p->exitStatus() != QProcess::NormalExit;
        r.exitCode = p->exitCode();
        r.out = p->readAllStandardOutput();
        r.err = p->readAllStandardError();
        return r;
    }
    test::ProcessResult cli(const QStringList &arguments) { return cli(arguments, environment()); }

    QStringList runArgs(const QString &load, const QString &store, const QString &mitigation) const
    {
        return {QStringLiteral("run"), load, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                QStringLiteral("--store"), store, QStringLiteral("-m"), mitigation, QStringLiteral("--api"), QStringLiteral("rest"),
                QStringLiteral("--concurrency"), QStringLiteral("2")};
    }

    QJsonObject orgStatus() const
    {
        test::RawHttp http(org.url, org.token);
        return test::jsonOf(http.get(QStringLiteral("/lockstep/status"))).object();
    }

    QString newStore() { return scratch.path(QStringLiteral("jobs-%1.sqlite").arg(++storeNumber)); }

    // Whether the Opportunity duplicate rules are all on (-1 when the org cannot be asked).
    int rulesActive()
    {
        OrgClient client = org.client();
        auto rules = client.duplicateRules(QStringLiteral("Opportunity"));
        if (!rules || rules->empty())
            return -1;
        return std::all_of(rules->begin(), rules->end(), [](const DuplicateRuleState &r) { return r.active; }) ? 1 : 0;
    }

    // Waits (deadline, not sleep) until the running job has switched the rules off.
    bool waitRulesOff(QProcess &p)
    {
        return QTest::qWaitFor([&] { return rulesActive() == 0 || p.state() == QProcess::NotRunning; }, 30000) && rulesActive() == 0;
    }

private slots:
    void initTestCase()
    {
        SampleOptions o;
        o.rows = 4000;
        o.parents = 400;
        o.seed = 41;
        file = scratch.sample(QStringLiteral("opps.csv"), o);
        o.parents = 20;
        o.seed = 42;
        contended = scratch.sample(QStringLiteral("contended.csv"), o);
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--data"), scratch.path(QStringLiteral("org")),
                            QStringLiteral("--seed-from"), file, QStringLiteral("--seed-from"), contended}),
                 qPrintable(org.error()));
        // The org's Opportunity rule starts off (as in Salesforce): an admin switched it on.
        OrgClient client = org.client();
        auto rules = client.duplicateRules(QStringLiteral("Opportunity"));
        QVERIFY(rules && !rules->empty());
        for (const DuplicateRuleState &rule : *rules)
            QVERIFY(client.setDuplicateRuleActive(rule, true).has_value());
        QCOMPARE(rulesActive(), 1);
    }

    void rulesBackOnAfterSuccess()
    {
        auto p = start(runArgs(file, newStore(), QStringLiteral("lanes+no-dup-rules")), environment());
        QVERIFY2(waitRulesOff(*p), "the run never switched the duplicate rules off");
        QVERIFY(p->waitForFinished(120000));
        QCOMPARE(p->exitCode(), 0);
        QCOMPARE(rulesActive(), 1);
    }

    void resumeRefusesASourceThatChanged()
    {
        // A finished job's source edited in place (same size, one character different): resume
        // refuses it by its hash, naming the file, and sends nothing; gone: exit 66; as it was: 0.
        const QString load = scratch.path(QStringLiteral("resume-source.csv"));
        QVERIFY(QFile::copy(file, load));
        const QString store = newStore();
        const auto run = cli(runArgs(load, store, QStringLiteral("lanes+no-dup-rules")));   // the org's rule is on
        QVERIFY2(run.exitCode == 0, run.err.right(600).constData());
        const QStringList resume{QStringLiteral("resume"), QStringLiteral("1"), QStringLiteral("--store"), store};
        QCOMPARE(cli(resume).exitCode, 0);

        QFile f(load);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        const qsizetype digit = bytes.lastIndexOf("0");
        QVERIFY(digit > 0);
        bytes[digit] = '1';
        QVERIFY(f.seek(0));
        QCOMPARE(f.write(bytes), qint64(bytes.size()));
        f.close();
        const qint64 committedBefore = orgStatus().value(QStringLiteral("committedTransactions")).toInteger();
        const auto changed = cli(resume);
        QCOMPARE(changed.exitCode, 65);
        QVERIFY2(changed.err.contains("changed or is gone") && changed.err.contains("resume-source.csv"), changed.err.constData());
        QCOMPARE(orgStatus().value(QStringLiteral("committedTransactions")).toInteger(), committedBefore);

        QVERIFY(QFile::remove(load));
        const auto gone = cli(resume);
        QCOMPARE(gone.exitCode, 66);
        QVERIFY2(gone.err.contains("resume-source.csv"), gone.err.constData());
    }

    void rulesBackOnAfterRowsFail()
    {
        const auto r = cli(runArgs(contended, newStore(), QStringLiteral("parallel+no-dup-rules")) << QStringLiteral("--concurrency")
                                                                                                    << QStringLiteral("15"));
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("UNABLE_TO_LOCK_ROW"), r.err.right(600).constData());
        QCOMPARE(rulesActive(), 1);
    }

    void rulesBackOnAfterCtrlC()
    {
        auto p = start(runArgs(file, newStore(), QStringLiteral("lanes+no-dup-rules")), environment());
        QVERIFY(waitRulesOff(*p));
        ::kill(pid_t(p->processId()), SIGINT);
        QVERIFY(p->waitForFinished(60000));
        QCOMPARE(p->exitCode(), 130);
        QCOMPARE(rulesActive(), 1);
    }

    void rulesBackOnAfterCancelCommand()
    {
        const QString store = newStore();
        auto p = start(runArgs(file, store, QStringLiteral("lanes+no-dup-rules")), environment());
        QVERIFY(waitRulesOff(*p));
        const auto cancel = cli({QStringLiteral("cancel"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--wait"),
                                 QStringLiteral("60")});
        QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
        QVERIFY(p->waitForFinished(60000));
        QCOMPARE(rulesActive(), 1);
        const auto shown = cli({QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(shown.out).object().value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    }

    // SIGKILL leaves the rules off (nothing can run in a killed process); the next start of
    // lockstep-cli on that store and org switches them back and says so.
    void rulesBackOnAtNextStartAfterKill()
    {
        const QString store = newStore();
        auto p = start(runArgs(file, store, QStringLiteral("lanes+no-dup-rules")), environment());
        QVERIFY(waitRulesOff(*p));
        p->kill();
        QVERIFY(p->waitForFinished(10000));
        QCOMPARE(rulesActive(), 0);
        const auto next = cli(runArgs(contended, store, QStringLiteral("lanes")));
        QVERIFY2(next.err.contains("restored duplicate rule"), next.err.right(600).constData());
        QCOMPARE(rulesActive(), 1);
    }

    // The same, settled by `lockstep-cli cancel` of the dead job.
    void rulesBackOnWhenKilledJobIsCancelled()
    {
        const QString store = newStore();
        auto p = start(runArgs(file, store, QStringLiteral("lanes+no-dup-rules")), environment());
        QVERIFY(waitRulesOff(*p));
        p->kill();
        QVERIFY(p->waitForFinished(10000));
        QCOMPARE(rulesActive(), 0);
        const auto cancel = cli({QStringLiteral("cancel"), QStringLiteral("1"), QStringLiteral("--store"), store});
        QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
        QCOMPARE(rulesActive(), 1);
    }

    // A run that renews its session on the way (the org expires sessions), with every result
    // format written: none of the secrets it was given or was issued shows up anywhere.
    void noSecretInOutputStoreOrResultFiles()
    {
        test::DemoOrgProcess expiring;
        QVERIFY2(expiring.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--faults"), QStringLiteral("expire=0.1"),
                                 QStringLiteral("--seed-from"), file}),
                 qPrintable(expiring.error()));
        const QString store = newStore();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCKSTEP_ACCESS_TOKEN"), expiring.token);
        env.insert(QStringLiteral("LOCKSTEP_USERNAME"), expiring.username);
        env.insert(QStringLiteral("LOCKSTEP_PASSWORD"), expiring.password);
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), expiring.clientId);
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), expiring.clientSecret);
        env.insert(QStringLiteral("LOCKSTEP_LOGIN_URL"), expiring.url);
        const QString results = scratch.path(QStringLiteral("results"));
        QVERIFY(QDir().mkpath(results));
        QByteArray printed;
        const auto run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), expiring.url, QStringLiteral("--scale"),
                              QStringLiteral("0.05"), QStringLiteral("--store"), store, QStringLiteral("-m"), QStringLiteral("lanes"),
                              QStringLiteral("--api"), QStringLiteral("rest"), QStringLiteral("--results"), results, QStringLiteral("--json")},
                             env);
        QVERIFY2(run.exitCode == 0, run.err.right(600).constData());
        printed += run.out + run.err;
        for (const QString &format : {QStringLiteral("dataloader-bulkv2"), QStringLiteral("bulkv2"), QStringLiteral("full")}) {
            const auto e = cli({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--results"),
                                results, QStringLiteral("--format"), format},
                               env);
            QCOMPARE(e.exitCode, 0);
            printed += e.out + e.err;
        }
        for (const QStringList &args : {QStringList{QStringLiteral("jobs")}, QStringList{QStringLiteral("show"), QStringLiteral("1")}}) {
            const auto r = cli(args + QStringList{QStringLiteral("--store"), store, QStringLiteral("--json")}, env);
            printed += r.out + r.err;
        }
        // Renewals happened: the org expired sessions under the run (else this proves less).
        OrgClient client = expiring.client();
        const QJsonObject status = test::lockstepStatus(client);
        qInfo("org status: %s", QJsonDocument(status).toJson(QJsonDocument::Compact).constData());

        QByteArray everything = printed + expiring.stderrText();
        QDirIterator files(scratch.path(QString()), QDir::Files, QDirIterator::Subdirectories);
        int read = 0;
        while (files.hasNext()) {
            const QString path = files.next();
            if (path.contains(QLatin1String("/org/")) || (path.endsWith(QLatin1String(".csv")) && !path.contains(QLatin1String("/results/"))))
                continue;   // the demo org's own database holds its secrets; load files are the user's
            QFile f(path);
            if (f.open(QIODevice::ReadOnly)) {
                everything += f.readAll();
                ++read;
            }
        }
        QVERIFY2(read >= 5, "the store and the result files were not found");
        for (const QString &secret : {expiring.token, expiring.password, expiring.clientSecret, org.password, org.clientSecret})
            QVERIFY2(!everything.contains(secret.toUtf8()), qPrintable(QStringLiteral("a secret (%1…) was written").arg(secret.left(4))));
        // Sessions the org issued on renewal are not known here: they look like 00D…!….
        static const QRegularExpression token(QStringLiteral("00D[0-9A-Za-z]{12,15}![0-9A-Za-z._]{20,}"));
        const auto match = token.match(QString::fromLatin1(everything));
        QVERIFY2(!match.hasMatch(), qPrintable(QStringLiteral("a session token was written: %1…").arg(match.captured().left(20))));
        expiring.stop();
    }

    void plainHttpOffLoopbackIsRefused()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCKSTEP_ACCESS_TOKEN"), QStringLiteral("00D000000000001!not-a-real-session-token-0000"));
        const QString store = newStore();
        const auto r = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("http://acme.my.salesforce.com"),
                            QStringLiteral("--store"), store},
                           env);
        QCOMPARE(r.exitCode, 64);
        QVERIFY2(r.err.contains("refusing plain http://"), r.err.constData());
        QVERIFY2(!QFile::exists(store), "a store was written for a refused org");
    }

    // A TLS server with a self-signed certificate, reached on loopback and, when this machine
    // has one, on a non-loopback address: both refused, naming the certificate, no job recorded.
    void unverifiableTlsIsRefused()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl is not installed: no TLS server to test against");
        const QString key = scratch.path(QStringLiteral("key.pem")), cert = scratch.path(QStringLiteral("cert.pem"));
        QProcess make;
        make.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                             QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=lockstep-test"), QStringLiteral("-days"),
                             QStringLiteral("1"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert});
        QVERIFY(make.waitForFinished(60000) && make.exitCode() == 0);
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::Any, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        QProcess server;
        server.start(openssl, {QStringLiteral("s_server"), QStringLiteral("-accept"), QString::number(port), QStringLiteral("-cert"), cert,
                               QStringLiteral("-key"), key, QStringLiteral("-www"), QStringLiteral("-quiet")});
        QVERIFY(server.waitForStarted(10000));
        QVERIFY(QTest::qWaitFor([&] {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, port);
            return s.waitForConnected(200);
        }, 10000));

        QStringList hosts{QStringLiteral("127.0.0.1")};
        for (const QHostAddress &a : QNetworkInterface::allAddresses())
            if (a.protocol() == QHostAddress::IPv4Protocol && !a.isLoopback()) {
                hosts << a.toString();
                break;
            }
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCKSTEP_ACCESS_TOKEN"), QStringLiteral("00D000000000001!not-a-real-session-token-0000"));
        for (const QString &host : hosts) {
            const QString store = newStore();
            const auto r = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("https://%1:%2").arg(host).arg(port),
                                QStringLiteral("--store"), store, QStringLiteral("-q")},
                               env);
            qInfo("%s: exit %d", qPrintable(host), r.exitCode);
            QCOMPARE(r.exitCode, 75);
            QVERIFY2(r.err.contains("TLS certificate could not be verified"), r.err.constData());
            QVERIFY2(!r.err.contains("not-a-real-session"), "the token was printed");
            const auto jobs = cli({QStringLiteral("jobs"), QStringLiteral("--store"), store, QStringLiteral("--json")}, env);
            QCOMPARE(QJsonDocument::fromJson(jobs.out).array().size(), 0);
        }
        server.kill();
        server.waitForFinished(5000);
        if (hosts.size() < 2)
            qInfo("no non-loopback address on this machine: checked on loopback only");
    }

    void cleanupTestCase() { org.stop(); }
};

QTEST_GUILESS_MAIN(TestOrgSafety)
#include "tst_orgsafety.moc"
