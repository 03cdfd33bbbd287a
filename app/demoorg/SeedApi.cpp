#include "demoorg/SeedApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/Seeder.h"
#include "demoorg/SessionStore.h"

#include <QFileInfo>
#include <QMutex>
#include <QJsonArray>
#include <QJsonObject>

namespace lockstep::demoorg {

void SeedApi::registerRoutes(Router &router, OrgServices &org)
{
    router.add("POST", QStringLiteral("/lockstep/seed"), Access::Session,
               [&org](const ServerRequest &r, const RouteParams &) { return seed(r, org); });
}

ServerResponse SeedApi::seed(const ServerRequest &request, OrgServices &org)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (!doc.isObject())
        return ApiErrors::malformedJson(error.errorString());
    QStringList files;
    for (const auto &v : doc.object().value(QStringLiteral("files")).toArray()) {
        const QString path = v.toString();
        if (path.isEmpty() || !QFileInfo(path).isAbsolute())
            return ApiErrors::rest(400, QStringLiteral("INVALID_INPUT"), QStringLiteral("expected {\"files\": [absolute paths]}"));
        files << path;
    }
    if (files.isEmpty())
        return ApiErrors::rest(400, QStringLiteral("INVALID_INPUT"), QStringLiteral("expected {\"files\": [absolute paths]}"));
    // A caller that gives up (closes its connection) stops the read at its next progress report.
    Progress progress;
    SeedProgress *shown = org.seeding;
    progress.report = [gone = request.clientGone, cancel = progress.cancel, shown](qint64 done, qint64 total, const QString &phase) {
        if (gone->load())
            cancel.cancel();
        if (shown)
            shown->report(done, total, phase);
    };
    // One seed at a time: each looks up which records exist and then creates the rest, so two at
    // once (a client that asked again while its first request still ran) would create the same
    // records twice. The second waits, then finds them there.
    static QMutex seeding;
    QMutexLocker oneAtATime(&seeding);
    if (org.seeding)
        org.seeding->begin(files.join(QStringLiteral(", ")));
    auto summary = Seeder(*org.store, org.sessions->credentials().userId).seed(files, progress);
    if (org.seeding)
        org.seeding->end();
    if (!summary) {
        const Error &e = summary.error();
        const int status = e.kind == ErrorKind::NotFound ? 404 : e.kind == ErrorKind::Internal || e.kind == ErrorKind::Io ? 500 : 400;
        return ApiErrors::rest(status, e.kind == ErrorKind::Cancelled ? QStringLiteral("REQUEST_CANCELLED") : QStringLiteral("INVALID_FILE"),
                               e.toString());
    }
    return ServerResponse::json(200, QJsonDocument(QJsonObject{{QStringLiteral("files"), summary->files},
                                                               {QStringLiteral("created"), summary->created},
                                                               {QStringLiteral("existing"), summary->existing},
                                                               {QStringLiteral("skipped"), summary->skipped}}));
}

} // namespace lockstep::demoorg
