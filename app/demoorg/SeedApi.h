#pragma once

#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// POST /lockstep/seed {"files": ["/path/load.csv", …]}: makes every record those load files
// refer to exist (what `--seed-from` does at start), while the org runs — so a front end that
// reaches the org over HTTP only (the window) can open a file and load it as it is. Answers
// {"files","created","existing","skipped"}.
//
// The file is named, not sent: the org listens on 127.0.0.1 only, so it reads the same disk as
// its caller, and a file of millions of rows need not cross a socket to name a few thousand
// parents. It needs a session like any API call. Lockstep's own endpoint; no Salesforce org has it.
class SeedApi {
public:
    static void registerRoutes(Router &router, OrgServices &org);
    static ServerResponse seed(const ServerRequest &request, OrgServices &org);
};

} // namespace lockstep::demoorg
