#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace lockstep::demoorg {

enum class FieldType { Id, Reference, String, TextArea, Picklist, Email, Phone, Double, Currency, Int, Boolean, Date, DateTime };

QString fieldTypeName(FieldType type);   // describe's "type": "reference", "currency", ...

struct FieldDef {
    QString name;
    QString label;
    FieldType type = FieldType::String;
    QStringList referenceTo;           // Reference: the objects it may point to
    QString relationshipName;          // Reference: "Account" for AccountId
    std::optional<int> relationshipOrder;   // master-detail: 0 (first master); else none
    bool cascadeDelete = false;        // master-detail: deleting the master deletes the child
    bool restrictedDelete = false;     // restricted lookup: the master cannot be deleted
    bool externalId = false;
    bool unique = false;
    bool createable = true;
    bool updateable = true;
    bool nillable = true;              // false: required on insert
    bool defaultedOnCreate = false;
    QString defaultValue;              // applied on insert when the field is absent
    int length = 255;
    QStringList picklist;              // Picklist: allowed values (any value accepted, like an unrestricted picklist)
    bool system = false;               // CreatedDate and friends: set by the org only
    QString rollupChild;               // a roll-up summary: child object ...
    QString rollupField;               // ... and its master-detail field, and
    QString rollupSum;                 // the child field summed ("" = COUNT)

    bool isRollup() const { return !rollupChild.isEmpty(); }
    bool isMasterDetail() const { return relationshipOrder.has_value(); }
    bool isNumeric() const { return type == FieldType::Double || type == FieldType::Currency || type == FieldType::Int; }
};

struct ChildRelationship {
    QString childObject;
    QString field;
    QString relationshipName;
    bool cascadeDelete = false;
    bool restrictedDelete = false;
};

struct ObjectDef {
    QString name;
    QString label;
    QString labelPlural;
    QString keyPrefix;
    bool custom = false;
    bool createable = true;
    bool updateable = true;
    bool deletable = true;
    std::vector<FieldDef> fields;
    std::vector<ChildRelationship> children;   // filled by Schema from the other objects' references
    // Columns that lock other records when a row of this object is written (lock-model.md §2).
    QStringList lockingFields;

    const FieldDef *field(const QString &name) const;   // case-insensitive
};

// Settings of the configurable custom master-detail pair (profile "customObjects").
struct CustomObjectConfig {
    QString master = QStringLiteral("Invoice__c");
    QString child = QStringLiteral("Invoice_Line__c");
    QString masterField = QStringLiteral("Master__c");
    QString masterPrefix = QStringLiteral("a0A");   // the sample generator's prefixes
    QString childPrefix = QStringLiteral("a0B");
};

// The demo org's data model: standard objects (User, Organization, Account, Contact,
// Opportunity, Case, Task, DuplicateRule) and a custom master with a master-detail child
// whose roll-up summaries live on the master.
class Schema {
public:
    static Schema standard(const CustomObjectConfig &custom = {});

    const ObjectDef *object(const QString &name) const;          // case-insensitive
    const ObjectDef *objectForPrefix(QStringView prefix) const;
    const std::vector<ObjectDef> &objects() const { return m_objects; }
    const CustomObjectConfig &custom() const { return m_custom; }

    QJsonObject describeGlobalEntry(const ObjectDef &object, const QString &version) const;
    QJsonObject describe(const ObjectDef &object, const QString &version) const;

private:
    std::vector<ObjectDef> m_objects;
    CustomObjectConfig m_custom;
};

} // namespace lockstep::demoorg
