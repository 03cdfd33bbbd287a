#pragma once

#include "demoorg/ApiErrors.h"
#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// Wraps a handler that needs a supported API version in its path ("v62.0"); any other version
// is a 404, as on a real org.
template <class F>
Router::Handler versioned(F f)
{
    return [f](const ServerRequest &r, const RouteParams &p) -> ServerResponse {
        const QString version = apiVersionFromSegment(p.value(QStringLiteral("version")));
        if (version.isEmpty())
            return ApiErrors::notFound();
        return f(r, p, version);
    };
}

} // namespace lockstep::demoorg
