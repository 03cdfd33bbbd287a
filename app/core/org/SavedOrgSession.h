#pragma once

#include "common/Error.h"
#include "org/OrgClient.h"
#include "org/OrgRegistry.h"
#include "org/SecretStore.h"

namespace lockstep {

// A session for a saved org, opened the way it was saved: the stored refresh token (browser),
// a fresh JWT (jwt: the key read from its file), the stored client secret (client credentials),
// or the Salesforce CLI's own login (sf org auth show-access-token). The same call renews an
// expired session.
class SavedOrgSession {
public:
    static Result<OrgSession> open(const SavedOrg &org, SecretStore &secrets);
    // The Salesforce CLI's session for `sfOrg` (its alias or username): instance URL and user
    // from `sf org display`, the token from `sf org auth show-access-token` (display redacts it).
    // $LOCKSTEP_SF names the CLI (default "sf").
    struct SalesforceCliLogin {
        OrgSession session;
        QString username;
        QString apiVersion;
    };
    static Result<SalesforceCliLogin> fromSalesforceCli(const QString &sfOrg);
};

} // namespace lockstep
