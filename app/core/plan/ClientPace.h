#pragma once

#include "common/Error.h"
#include "sim/OrgProfile.h"

#include <QString>

#include <vector>

namespace lockstep {

// Who sends the load, and at what pace: the seconds between two Bulk API 1.0 batch uploads.
// The pace is an input of a prediction because it moves the result: batches uploaded close
// together start together and meet on the same parents (a client that uploads 200-row batches
// every 0.05 s sees 30–70 % more lock errors than one that uploads every 0.3 s).
//  - lockstep:   Lockstep's own runner, which keeps the plan's pace (the profile's gap);
//  - dataloader: Data Loader uploads batches one after another; the calibrated profile's gap
//                (0.3 s) is fitted to seed 000's Data Loader run;
//  - sf:         the Salesforce CLI's Bulk API 1.0 commands create a job's batches concurrently,
//                so they arrive almost together (its Bulk API 2.0 commands upload once: no gap);
//  - jsforce:    a script that creates batches in a loop of promises: the same, almost together;
//  - a number:   seconds between uploads, for any other client.
// The gaps of sf and jsforce (0.05 s) are this project's assumption, not a measurement.
struct ClientPace {
    QString key;                  // "lockstep", "dataloader", "sf", "jsforce"; empty for a number
    QString label;                // for people
    double uploadGapSeconds = 0.3;

    // The presets, in the order a UI lists them; the first is Lockstep's own runner.
    static std::vector<ClientPace> presets(const OrgProfile &profile);
    // A preset's key or a number of seconds (0–60).
    static Result<ClientPace> parse(const QString &text, const OrgProfile &profile);
};

} // namespace lockstep
