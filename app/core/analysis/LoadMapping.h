#pragma once

#include "analysis/FileAnalysis.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace lockstep {

// What the user says about a load file, over what Lockstep detected: the object it loads into,
// the operation, the field an upsert matches on, column roles and lock rules. The window keeps
// one per open file and edits it through an undo stack; every edit is a new value, so undo is
// putting the old one back. applyTo() turns it into the options that read the file again.
struct LoadMapping {
    QString object;                         // "" = as detected
    std::optional<Operation> operation;     // none = as detected
    QString externalIdField;                // upsert: "" = by record Id
    std::vector<ColumnRoleChange> roles;    // one entry per changed column, latest wins
    std::vector<LockRule> addedRules;       // columns that lock their record beyond the built-in rules
    QStringList removedRules;               // built-in rules' columns that do not lock in this org

    friend bool operator==(const LoadMapping &, const LoadMapping &) = default;

    bool isDetected() const { return *this == LoadMapping{}; }
    void applyTo(AnalyzeOptions &options) const;

    // The same mapping with one change. `current` is the analysis the change is made on: what
    // the built-in rules are for its object and operation.
    LoadMapping withObject(const QString &object) const;
    LoadMapping withOperation(Operation operation) const;
    LoadMapping withExternalId(const QString &field) const;
    LoadMapping withRole(const QString &column, ColumnRole role, const QStringList &targets) const;
    LoadMapping withColumnLocking(const QString &column, bool locks, const FileAnalysis &current) const;

    // One line for the undo history: "Object: Contact", "AccountId: data", "AccountId locks".
    static QString describeChange(const LoadMapping &before, const LoadMapping &after);
};

} // namespace lockstep
