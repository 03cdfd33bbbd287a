#pragma once

#include "common/Error.h"

#include <QString>

#include <vector>

namespace lockstep {

// How batches are scheduled against the org (lock-model.md §4).
enum class Scheduling {
    Parallel,   // as is: W batches in flight, in file order
    Serial,     // one batch at a time
    Lanes,      // parent-aware lanes (§5): only key-disjoint batches in flight
    ParentQueue,   // an external per-parent write serializer (seed 000's BullMQ queue with group
                   // concurrency 1): REST calls of one parent's rows, one call per parent at a time
    Auto,       // the best predicted plan (fewest errors, then fastest) within a call budget
};

// What the user asks for; modifiers combine with a scheduling: "sort+small:10+no-dup-rules".
struct Mitigation {
    static constexpr int kDefaultSmallBatchRows = 10;   // seed 001: "reduced the batch size from 200 to 10"

    Scheduling scheduling = Scheduling::Parallel;
    bool sortByParent = false;      // rows ordered by their first lock key before batching
    int smallBatchRows = 0;         // > 0: batches of this many rows (small batches)
    bool duplicateRulesOff = false; // deactivate the object's duplicate rules for the job

    // "parallel", "serial", "lanes", "queue", "auto"; modifiers "sort", "small[:N]", "no-dup-rules";
    // joined with '+' (or ','). Errors name the token and list the choices.
    static Result<Mitigation> parse(const QString &text);
    QString key() const;     // canonical text that parse() reads back
    QString label() const;   // for people: "Sort by parent + small batches (10 rows)"

    // The mitigations `predict --compare` and auto weigh against each other.
    static std::vector<Mitigation> comparisonSet(bool withDuplicateRules);

    friend bool operator==(const Mitigation &, const Mitigation &) = default;
};

QString schedulingName(Scheduling scheduling);

} // namespace lockstep
