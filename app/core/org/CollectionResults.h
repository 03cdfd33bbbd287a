#pragma once

#include "locks/Operation.h"
#include "org/OrgClient.h"

#include <optional>
#include <string_view>
#include <vector>

namespace lockstep {

// An sObject Collections answer — [{"id":"006…","success":true,"errors":[],"created":false},…]
// — read straight from its bytes. Building a QJsonDocument of every 200-row answer was a tenth
// of the runner's time per request (tests/bench/runner). Keys it does not know are skipped;
// anything that is not such an array (another shape, a value of an unexpected type, bad JSON)
// gives nullopt, and the caller reads the answer the general way, with its error messages.
// `created` absent: true for a successful insert, as Salesforce's older versions imply.
std::optional<std::vector<RecordResult>> parseCollectionResults(std::string_view json, Operation operation);

} // namespace lockstep
