#pragma once

#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// The Metadata API's CRUD calls for DuplicateRule over SOAP (/services/Soap/m/XX.X):
// readMetadata and updateMetadata, the envelope jsforce builds (salesforce-api.md §6). It is
// the only way to switch a duplicate rule: IsActive is read-only over REST.
class MetadataApi {
public:
    explicit MetadataApi(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse call(const ServerRequest &request);
    OrgServices &m_org;
};

} // namespace lockstep::demoorg
