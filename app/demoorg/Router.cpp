#include "demoorg/Router.h"

namespace lockstep::demoorg {

void Router::add(const QByteArray &method, const QString &pattern, Access access, Handler handler)
{
    m_routes.push_back(Route{method, pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts), access, std::move(handler)});
}

bool Router::matches(const Route &route, const QStringList &segments, RouteParams &params)
{
    params.clear();
    for (qsizetype i = 0; i < route.segments.size(); ++i) {
        const QString &p = route.segments[i];
        if (p.startsWith(QLatin1String("{*"))) {
            if (i >= segments.size())
                return false;
            params.insert(p.mid(2, p.size() - 3), segments.mid(i).join(QLatin1Char('/')));
            return true;
        }
        if (i >= segments.size())
            return false;
        if (p.startsWith(QLatin1Char('{')))
            params.insert(p.mid(1, p.size() - 2), segments[i]);
        else if (p.compare(segments[i], Qt::CaseInsensitive) != 0)
            return false;
    }
    return route.segments.size() == segments.size();
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    Match m;
    RouteParams params;
    for (const Route &r : m_routes) {
        if (!matches(r, segments, params))
            continue;
        // HEAD is answered like GET (without the body, which the server drops).
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.handler = &r.handler;
            m.access = r.access;
            m.params = params;
            return m;
        }
        if (!m.allowedMethods.contains(QString::fromLatin1(r.method)))
            m.allowedMethods << QString::fromLatin1(r.method);
    }
    return m;
}

} // namespace lockstep::demoorg
