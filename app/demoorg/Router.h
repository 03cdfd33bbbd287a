#pragma once

#include "demoorg/HttpMessage.h"

#include <QHash>
#include <QStringList>

#include <functional>
#include <vector>

namespace lockstep::demoorg {

using RouteParams = QHash<QString, QString>;

// Who may call a route.
enum class Access {
    Public,        // OAuth endpoints, the version list
    Session,       // a valid access token (Authorization: Bearer, or X-SFDC-Session)
    SessionInBody, // SOAP: the session id travels in the envelope; the handler checks it
};

// Matches a normalised path against patterns like "/services/data/{version}/sobjects/{object}";
// "{name}" takes one segment, a final "{*name}" the rest. Routes match in the order added.
class Router {
public:
    using Handler = std::function<ServerResponse(const ServerRequest &, const RouteParams &)>;

    struct Match {
        const Handler *handler = nullptr;
        Access access = Access::Session;
        RouteParams params;
        QStringList allowedMethods;   // when the path matched but the method did not
    };

    void add(const QByteArray &method, const QString &pattern, Access access, Handler handler);
    Match match(const QByteArray &method, const QString &path) const;

private:
    struct Route {
        QByteArray method;
        QStringList segments;
        Access access;
        Handler handler;
    };
    static bool matches(const Route &route, const QStringList &segments, RouteParams &params);
    std::vector<Route> m_routes;
};

} // namespace lockstep::demoorg
