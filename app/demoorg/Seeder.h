#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "demoorg/RecordStore.h"

namespace lockstep::demoorg {

struct SeedSummary {
    qint64 files = 0;
    qint64 created = 0;    // records the seed added
    qint64 existing = 0;   // Ids the org already had
    qint64 skipped = 0;    // Ids of objects the demo org does not model
};

// `--seed-from FILE…`: makes every record a load file refers to exist — the Ids of its Id
// column (with the row's own field values) and every parent its lookups name — so a file
// from `lockstep-cli sample`, or a user's real file, can be updated against the demo org as
// it is. Records are written straight to the store: seeding is setup, not a load.
class Seeder {
public:
    Seeder(RecordStore &store, QString userId) : m_store(store), m_userId(std::move(userId)) {}
    Result<SeedSummary> seed(const QStringList &files, const Progress &progress = {});

private:
    Values minimalRecord(const ObjectDef &object, const QString &id) const;   // required fields only
    // Writes the records of `byId` the org does not have yet (one existence query, one apply).
    Result<void> insertMissing(const ObjectDef &object, const QHash<QString, Values> &byId, SeedSummary &summary, bool countExisting = true);
    RecordStore &m_store;
    QString m_userId;
};

} // namespace lockstep::demoorg
