// The desktop app: `lockstep [FILE]` opens FILE; `lockstep --screenshot OUT.png FILE` renders the
// window on FILE, saves it and exits (used for docs and on machines without a display).
#include "DemoOrgController.h"
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Lockstep"));
    QApplication::setOrganizationName(QStringLiteral("Lockstep"));
    QApplication::setApplicationVersion(QStringLiteral(LOCKSTEP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Plan Salesforce data loads that never fail with UNABLE_TO_LOCK_ROW."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A CSV load file or a Data Loader / Bulk API result file to open."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window on FILE, save it as a PNG and exit."), QStringLiteral("PNG"));
    parser.addOption(screenshot);
    const QCommandLineOption noDemoOrg(QStringLiteral("no-demo-org"),
                                       QStringLiteral("Do not start the built-in demo org (it starts when no org is configured)."));
    parser.addOption(noDemoOrg);
    parser.process(app);

    lockstep::ui::MainWindow window;
    window.setDialogsEnabled(!parser.isSet(screenshot));
    // The demo org is the org until the user chooses a saved one: lockstep-cli beside this
    // program, on a free loopback port, reached over HTTP. Once it answers, a job a killed (or
    // paused) session left is offered for resuming.
    if (!parser.isSet(noDemoOrg)) {
        if (auto started = window.startDemoOrg(); !started)
            fprintf(stderr, "lockstep: the demo org did not start: %s\n", qPrintable(started.error().toString()));
        else if (!parser.isSet(screenshot))
            QObject::connect(window.demoOrg(), &lockstep::ui::DemoOrgController::started, &window, [&window] { window.offerResume(); },
                             Qt::SingleShotConnection);
    }
    window.show();
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty())
        window.openFile(files.front());
    if (parser.isSet(screenshot)) {
        if (files.isEmpty()) {
            fprintf(stderr, "lockstep: --screenshot needs a FILE\n");
            return 64;
        }
        const QString out = parser.value(screenshot);
        auto save = [&window, out] {
            QTimer::singleShot(200, &window, [&window, out] {
                const bool ok = window.grab().save(out);
                fprintf(stderr, ok ? "lockstep: saved %s\n" : "lockstep: could not save %s\n", qPrintable(out));
                QApplication::exit(ok ? 0 : 74);
            });
        };
        QObject::connect(&window, &lockstep::ui::MainWindow::heatmapShown, &window, save);
        QObject::connect(window.analysis(), &lockstep::ui::AnalysisController::failed, &window,
                         [](const QString &message) {
                             fprintf(stderr, "lockstep: %s\n", qPrintable(message));
                             QApplication::exit(65);
                         });
    }
    return app.exec();
}
