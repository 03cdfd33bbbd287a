#pragma once

#include "common/Error.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace lockstep {

enum class ColumnRole {
    Data,                // a plain field value
    RecordId,            // the record's own Salesforce Id (update, delete, upsert by Id)
    Lookup,              // a field holding the Id of another record (AccountId, Master__c)
    RelationshipLookup,  // a parent named by external id: "Account.External_Id__c"
    ResultId,            // Id written by Salesforce into a result file (sf__Id, ID)
    ResultError,         // error text of a failed row (ERROR, sf__Error, Error)
    ResultStatus,        // Success / Created / STATUS / sf__Created of a result file
};

QString roleName(ColumnRole role);

// What a file is: a load file, or a result/error file written by Data Loader or the Bulk API
// after a job (those carry the original columns plus the server's verdict per row).
enum class FileKind {
    LoadFile,
    DataLoaderError,     // original columns + ERROR
    DataLoaderSuccess,   // ID, original columns, STATUS
    BulkV1Result,        // "Id","Success","Created","Error"
    BulkV2Failed,        // sf__Id, sf__Error, original columns
    BulkV2Success,       // sf__Id, sf__Created, original columns
};

QString fileKindName(FileKind kind);

struct ColumnInfo {
    int index = -1;
    QString name;
    ColumnRole role = ColumnRole::Data;
    QStringList targetObjects;   // Lookup/RelationshipLookup: the objects it may point to; empty = any
    QStringList keyPrefixes;     // Lookup/RecordId: the Id prefixes its values may have; empty = any
    QString relationshipName;    // RelationshipLookup: "Account" in "Account.External_Id__c"
    QString externalIdField;     // RelationshipLookup: "External_Id__c"
    bool externalIdCandidate = false;  // name and sampled values fit an external id (unique, non-Id)
    int sampledNonEmpty = 0;
    double idShare = 0;          // share of sampled non-empty values that are valid Ids
};

struct ColumnRoles {
    std::vector<ColumnInfo> columns;
    FileKind kind = FileKind::LoadFile;
    int idColumn = -1;           // RecordId (or ResultId when the file has no original Id column)
    int errorColumn = -1;        // ResultError
    QString object;              // the sObject the file loads into, "" when unknown
    QString objectReason;        // why we think so: "--object", "key prefix 006 of the Id column" ...
    QStringList notes;           // findings worth telling the user (mismatches, guesses)

    const ColumnInfo *find(const QString &name) const;   // case-insensitive, like Salesforce
    std::vector<int> indexesWithRole(ColumnRole role) const;
    std::vector<int> externalIdCandidates() const;
};

// A column's role as the user sets it over what was detected (the window's column mapping): a
// record Id, a lookup to `targets` (empty: any object), or plain data.
struct ColumnRoleChange {
    QString column;
    ColumnRole role = ColumnRole::Data;   // Data, RecordId or Lookup
    QStringList targets;                  // Lookup: the objects it may point to

    friend bool operator==(const ColumnRoleChange &, const ColumnRoleChange &) = default;
};

// Applies `changes` in order to detected roles: the Id checks, the lock rules and the record Id
// column follow. A column the file does not have, or a role a user cannot give, is an error that
// names what the file has.
Result<void> applyRoleChanges(ColumnRoles &roles, const std::vector<ColumnRoleChange> &changes);

// Works out what each column is from its name and a sample of values. `objectHint` (from the
// user) wins over inference; otherwise the object comes from the Id column's key prefix, the
// columns present, or the file name.
ColumnRoles detectColumnRoles(const QStringList &header, const std::vector<QStringList> &sample,
                              const QString &objectHint, const QString &fileName);

} // namespace lockstep
