#include "load/ColumnRoles.h"

#include "load/SalesforceId.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace lockstep {

QString roleName(ColumnRole role)
{
    switch (role) {
    case ColumnRole::Data: return QStringLiteral("data");
    case ColumnRole::RecordId: return QStringLiteral("record id");
    case ColumnRole::Lookup: return QStringLiteral("lookup");
    case ColumnRole::RelationshipLookup: return QStringLiteral("lookup by external id");
    case ColumnRole::ResultId: return QStringLiteral("result id");
    case ColumnRole::ResultError: return QStringLiteral("result error");
    case ColumnRole::ResultStatus: return QStringLiteral("result status");
    }
    return {};
}

QString fileKindName(FileKind kind)
{
    switch (kind) {
    case FileKind::LoadFile: return QStringLiteral("load file");
    case FileKind::DataLoaderError: return QStringLiteral("Data Loader error file");
    case FileKind::DataLoaderSuccess: return QStringLiteral("Data Loader success file");
    case FileKind::BulkV1Result: return QStringLiteral("Bulk API 1.0 batch result");
    case FileKind::BulkV2Failed: return QStringLiteral("Bulk API 2.0 failed results");
    case FileKind::BulkV2Success: return QStringLiteral("Bulk API 2.0 successful results");
    }
    return {};
}

const ColumnInfo *ColumnRoles::find(const QString &name) const
{
    for (const auto &c : columns)
        if (c.name.compare(name, Qt::CaseInsensitive) == 0)
            return &c;
    return nullptr;
}

std::vector<int> ColumnRoles::indexesWithRole(ColumnRole role) const
{
    std::vector<int> out;
    for (const auto &c : columns)
        if (c.role == role)
            out.push_back(c.index);
    return out;
}

std::vector<int> ColumnRoles::externalIdCandidates() const
{
    std::vector<int> out;
    for (const auto &c : columns)
        if (c.externalIdCandidate)
            out.push_back(c.index);
    return out;
}

namespace {

// Standard lookup fields and what they point to. Polymorphic ones list every target.
struct LookupTarget {
    const char *field;
    QStringList objects;
};

const QHash<QString, QStringList> &standardLookups()
{
    static const QHash<QString, QStringList> table{
        {QStringLiteral("accountid"), {QStringLiteral("Account")}},
        {QStringLiteral("contactid"), {QStringLiteral("Contact")}},
        {QStringLiteral("opportunityid"), {QStringLiteral("Opportunity")}},
        {QStringLiteral("caseid"), {QStringLiteral("Case")}},
        {QStringLiteral("leadid"), {QStringLiteral("Lead")}},
        {QStringLiteral("campaignid"), {QStringLiteral("Campaign")}},
        {QStringLiteral("contractid"), {QStringLiteral("Contract")}},
        {QStringLiteral("orderid"), {QStringLiteral("Order")}},
        {QStringLiteral("pricebook2id"), {QStringLiteral("Pricebook2")}},
        {QStringLiteral("pricebookentryid"), {QStringLiteral("PricebookEntry")}},
        {QStringLiteral("product2id"), {QStringLiteral("Product2")}},
        {QStringLiteral("recordtypeid"), {QStringLiteral("RecordType")}},
        {QStringLiteral("reportstoid"), {QStringLiteral("Contact")}},
        {QStringLiteral("ownerid"), {QStringLiteral("User"), QStringLiteral("Group")}},
        {QStringLiteral("createdbyid"), {QStringLiteral("User")}},
        {QStringLiteral("lastmodifiedbyid"), {QStringLiteral("User")}},
        {QStringLiteral("whoid"), {QStringLiteral("Contact"), QStringLiteral("Lead")}},
        {QStringLiteral("whatid"), {}},  // any object
        {QStringLiteral("parentid"), {}}, // Account.ParentId, Case.ParentId: same object; set later
        {QStringLiteral("masterrecordid"), {}},
        {QStringLiteral("quoteid"), {QStringLiteral("Quote")}},
        {QStringLiteral("assetid"), {QStringLiteral("Asset")}},
    };
    return table;
}

// Relationship names as written in "Relationship.ExternalIdField" headers.
QStringList relationshipTargets(const QString &relationship)
{
    const QString r = relationship.toLower();
    if (r.endsWith(QLatin1String("__r")))
        return {};  // custom relationship: target known only from describe
    if (r == QLatin1String("who"))
        return {QStringLiteral("Contact"), QStringLiteral("Lead")};
    if (r == QLatin1String("what") || r == QLatin1String("parent"))
        return {};
    if (r == QLatin1String("owner"))
        return {QStringLiteral("User"), QStringLiteral("Group")};
    if (r == QLatin1String("reportsto"))
        return {QStringLiteral("Contact")};
    // Standard relationships are named after their object: Account, Contact, Opportunity...
    QString object = relationship;
    object[0] = object[0].toUpper();
    return {object};
}

QStringList prefixesFor(const QStringList &objects)
{
    QStringList out;
    for (const auto &o : objects) {
        const QString p = KeyPrefixes::prefixFor(o);
        if (!p.isEmpty())
            out << p;
    }
    return out;
}

bool nameLooksLikeExternalId(const QString &name)
{
    static const QRegularExpression re(
        QStringLiteral("(ext(ernal)?[_ ]?id|_key__c$|legacy.*id|source.*id|^ext_|_ext__c$|integration.*id)"),
        QRegularExpression::CaseInsensitiveOption);
    return re.match(name).hasMatch();
}

QString guessObjectFromColumns(const ColumnRoles &roles)
{
    auto has = [&](const char *name) { return roles.find(QLatin1String(name)) != nullptr; };
    if (has("StageName") || has("CloseDate") || has("ForecastCategoryName"))
        return QStringLiteral("Opportunity");
    if (has("WhoId") || has("WhatId")) {
        if (has("StartDateTime") || has("EndDateTime") || has("DurationInMinutes"))
            return QStringLiteral("Event");
        return QStringLiteral("Task");
    }
    if (has("CaseNumber") || (has("Subject") && has("Priority") && (has("AccountId") || has("ContactId"))))
        return QStringLiteral("Case");
    if (has("LastName") && has("AccountId"))
        return QStringLiteral("Contact");
    if (has("LastName") && has("Company"))
        return QStringLiteral("Lead");
    if (has("BillingCity") || has("Industry") || has("NumberOfEmployees"))
        return QStringLiteral("Account");
    return {};
}

QString guessObjectFromFileName(const QString &fileName)
{
    const QString base = QFileInfo(fileName).completeBaseName().toLower();
    static const std::pair<const char *, const char *> words[] = {
        {"opportunit", "Opportunity"}, {"oppty", "Opportunity"}, {"contact", "Contact"},
        {"account", "Account"},        {"case", "Case"},          {"task", "Task"},
        {"event", "Event"},            {"lead", "Lead"},
    };
    for (const auto &[word, object] : words)
        if (base.contains(QLatin1String(word)))
            return QString::fromLatin1(object);
    return {};
}

// The most common key prefix among the sampled values of a column, and its share.
std::pair<QString, double> dominantPrefix(const std::vector<QStringList> &sample, int column)
{
    QHash<QString, int> counts;
    int total = 0;
    for (const auto &row : sample) {
        if (column >= row.size())
            continue;
        const QByteArray v = row[column].toLatin1();
        if (SalesforceId::validate(std::string_view(v.constData(), size_t(v.size()))) != SalesforceId::Check::Ok)
            continue;
        counts[QString::fromLatin1(v.left(3))]++;
        ++total;
    }
    QString best;
    int bestCount = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() > bestCount || (it.value() == bestCount && it.key() < best)) {
            best = it.key();
            bestCount = it.value();
        }
    return {best, total ? double(bestCount) / total : 0.0};
}

} // namespace

ColumnRoles detectColumnRoles(const QStringList &header, const std::vector<QStringList> &sample,
                              const QString &objectHint, const QString &fileName)
{
    ColumnRoles roles;
    roles.columns.resize(size_t(header.size()));
    for (int i = 0; i < header.size(); ++i) {
        auto &c = roles.columns[size_t(i)];
        c.index = i;
        c.name = header[i].trimmed();
        QSet<QString> distinct;
        int ids = 0;
        for (const auto &row : sample) {
            if (i >= row.size() || row[i].isEmpty())
                continue;
            ++c.sampledNonEmpty;
            distinct.insert(row[i]);
            const QByteArray v = row[i].toLatin1();
            if (SalesforceId::validate(std::string_view(v.constData(), size_t(v.size()))) == SalesforceId::Check::Ok &&
                SalesforceId::looksLikeId(std::string_view(v.constData(), size_t(v.size()))))
                ++ids;
        }
        c.idShare = c.sampledNonEmpty ? double(ids) / c.sampledNonEmpty : 0.0;
        const bool unique = c.sampledNonEmpty > 0 && distinct.size() == c.sampledNonEmpty;
        c.externalIdCandidate = nameLooksLikeExternalId(c.name) && c.idShare < 0.5 &&
                                (unique || c.sampledNonEmpty == 0);
    }

    // Result files first: their verdict columns are not data.
    auto indexOf = [&](const char *name, Qt::CaseSensitivity cs) {
        for (int i = 0; i < header.size(); ++i)
            if (header[i].trimmed().compare(QLatin1String(name), cs) == 0)
                return i;
        return -1;
    };
    const int sfId = indexOf("sf__Id", Qt::CaseInsensitive);
    const int sfError = indexOf("sf__Error", Qt::CaseInsensitive);
    const int sfCreated = indexOf("sf__Created", Qt::CaseInsensitive);
    const int dlError = indexOf("ERROR", Qt::CaseSensitive);
    const int dlStatus = indexOf("STATUS", Qt::CaseSensitive);
    const int dlId = indexOf("ID", Qt::CaseSensitive);
    const bool bulkV1 = header.size() == 4 && indexOf("Id", Qt::CaseSensitive) == 0 &&
                        indexOf("Success", Qt::CaseSensitive) == 1 && indexOf("Created", Qt::CaseSensitive) == 2 &&
                        indexOf("Error", Qt::CaseSensitive) == 3;
    if (bulkV1) {
        roles.kind = FileKind::BulkV1Result;
        roles.columns[0].role = ColumnRole::ResultId;
        roles.columns[1].role = ColumnRole::ResultStatus;
        roles.columns[2].role = ColumnRole::ResultStatus;
        roles.columns[3].role = ColumnRole::ResultError;
        roles.errorColumn = 3;
    } else if (sfId >= 0 && (sfError >= 0 || sfCreated >= 0)) {
        roles.kind = sfError >= 0 ? FileKind::BulkV2Failed : FileKind::BulkV2Success;
        roles.columns[size_t(sfId)].role = ColumnRole::ResultId;
        if (sfError >= 0) {
            roles.columns[size_t(sfError)].role = ColumnRole::ResultError;
            roles.errorColumn = sfError;
        }
        if (sfCreated >= 0)
            roles.columns[size_t(sfCreated)].role = ColumnRole::ResultStatus;
    } else if (dlError >= 0 && dlError == header.size() - 1) {
        roles.kind = FileKind::DataLoaderError;
        roles.columns[size_t(dlError)].role = ColumnRole::ResultError;
        roles.errorColumn = dlError;
    } else if (dlId == 0 && dlError == 1) {   // Data Loader over Bulk API 2.0: ID, ERROR, original columns
        roles.kind = FileKind::DataLoaderError;
        roles.columns[0].role = ColumnRole::ResultId;
        roles.columns[1].role = ColumnRole::ResultError;
        roles.errorColumn = 1;
    } else if (dlId == 0 && sfCreated == 1) {   // … and its success file: ID, sf__Created, original columns
        roles.kind = FileKind::DataLoaderSuccess;
        roles.columns[0].role = ColumnRole::ResultId;
        roles.columns[1].role = ColumnRole::ResultStatus;
    } else if (dlId == 0 && dlStatus == header.size() - 1) {
        roles.kind = FileKind::DataLoaderSuccess;
        roles.columns[0].role = ColumnRole::ResultId;
        roles.columns[size_t(dlStatus)].role = ColumnRole::ResultStatus;
    }

    // The record Id: a column named Id among the original columns; result files fall back to
    // the Id Salesforce wrote.
    for (auto &c : roles.columns) {
        if (c.role == ColumnRole::Data && c.name.compare(QLatin1String("Id"), Qt::CaseInsensitive) == 0) {
            c.role = ColumnRole::RecordId;
            roles.idColumn = c.index;
            break;
        }
    }
    if (roles.idColumn < 0 && roles.kind != FileKind::LoadFile && roles.kind != FileKind::BulkV2Success) {
        for (auto &c : roles.columns)
            if (c.role == ColumnRole::ResultId && c.idShare > 0.5) {
                roles.idColumn = c.index;
                break;
            }
    }

    // Lookups: standard "...Id" fields, relationship columns, and any other column whose values
    // are Salesforce Ids (a custom lookup, or a report export's "Account ID").
    for (auto &c : roles.columns) {
        if (c.role != ColumnRole::Data)
            continue;
        const int sep = std::max(c.name.indexOf(QLatin1Char('.')), c.name.indexOf(QLatin1Char(':')));
        if (sep > 0 && sep < c.name.size() - 1) {
            c.role = ColumnRole::RelationshipLookup;
            c.relationshipName = c.name.left(sep);
            c.externalIdField = c.name.mid(sep + 1);
            c.targetObjects = relationshipTargets(c.relationshipName);
            continue;
        }
        const QString lower = c.name.toLower();
        const auto standard = standardLookups().constFind(lower);
        const bool idValued = c.idShare >= 0.9 && c.sampledNonEmpty > 0;
        if (standard != standardLookups().cend() ||
            (lower.endsWith(QLatin1String("__c")) && idValued) || idValued) {
            c.role = ColumnRole::Lookup;
            if (standard != standardLookups().cend())
                c.targetObjects = standard.value();
        }
    }

    // The object.
    if (!objectHint.isEmpty()) {
        roles.object = objectHint;
        roles.objectReason = QStringLiteral("given");
    } else if (roles.idColumn >= 0) {
        const auto [prefix, share] = dominantPrefix(sample, roles.idColumn);
        const QString object = KeyPrefixes::objectFor(prefix.toStdString());
        if (!object.isEmpty()) {
            roles.object = object;
            roles.objectReason = QStringLiteral("key prefix %1 of the %2 column").arg(prefix, roles.columns[size_t(roles.idColumn)].name);
        }
    }
    if (roles.object.isEmpty()) {
        roles.object = guessObjectFromColumns(roles);
        if (!roles.object.isEmpty())
            roles.objectReason = QStringLiteral("the columns present");
    }
    if (roles.object.isEmpty()) {
        roles.object = guessObjectFromFileName(fileName);
        if (!roles.object.isEmpty())
            roles.objectReason = QStringLiteral("the file name");
    }

    // Key prefixes each Id-valued column may hold.
    const QString objectPrefix = KeyPrefixes::prefixFor(roles.object);
    if (roles.idColumn >= 0) {
        auto &c = roles.columns[size_t(roles.idColumn)];
        if (!objectPrefix.isEmpty()) {
            c.keyPrefixes = {objectPrefix};
        } else {
            const auto [prefix, share] = dominantPrefix(sample, roles.idColumn);
            if (!prefix.isEmpty() && share >= 0.99)
                c.keyPrefixes = {prefix};  // a custom object: its prefix is what the rows agree on
        }
        const auto [prefix, share] = dominantPrefix(sample, roles.idColumn);
        if (!objectPrefix.isEmpty() && !prefix.isEmpty() && prefix != objectPrefix && share > 0.5) {
            const QString other = KeyPrefixes::objectFor(prefix.toStdString());
            roles.notes << QStringLiteral("The %1 column holds %2 Ids (prefix %3), but the object is %4 (prefix %5).")
                               .arg(c.name, other.isEmpty() ? QStringLiteral("other") : other, prefix,
                                    roles.object, objectPrefix);
        }
    }
    for (auto &c : roles.columns) {
        if (c.role != ColumnRole::Lookup)
            continue;
        const QString lower = c.name.toLower();
        if (lower == QLatin1String("parentid") || lower == QLatin1String("masterrecordid")) {
            if (!roles.object.isEmpty())
                c.targetObjects = {roles.object};
        }
        c.keyPrefixes = prefixesFor(c.targetObjects);
        if (lower == QLatin1String("ownerid"))
            c.keyPrefixes = {QStringLiteral("005"), QStringLiteral("00G")};
        if (c.targetObjects.isEmpty()) {
            // A custom or polymorphic lookup: infer the target from what the values say.
            const auto [prefix, share] = dominantPrefix(sample, c.index);
            const QString object = KeyPrefixes::objectFor(prefix.toStdString());
            if (!object.isEmpty() && share >= 0.99 && lower != QLatin1String("whatid"))
                c.targetObjects = {object};
            if (!prefix.isEmpty() && share >= 0.99 && lower != QLatin1String("whatid"))
                c.keyPrefixes = {prefix};
        }
    }
    return roles;
}

Result<void> applyRoleChanges(ColumnRoles &roles, const std::vector<ColumnRoleChange> &changes)
{
    for (const ColumnRoleChange &change : changes) {
        auto column = std::find_if(roles.columns.begin(), roles.columns.end(),
                                   [&](const ColumnInfo &c) { return c.name.compare(change.column, Qt::CaseInsensitive) == 0; });
        if (column == roles.columns.end()) {
            QStringList names;
            for (const auto &c : roles.columns)
                names << c.name;
            return fail(ErrorKind::Usage, QStringLiteral("the mapping names a column '%1' the file does not have (columns: %2)")
                                              .arg(change.column, names.join(QStringLiteral(", "))));
        }
        if (change.role != ColumnRole::Data && change.role != ColumnRole::RecordId && change.role != ColumnRole::Lookup)
            return fail(ErrorKind::Usage, QStringLiteral("column '%1' can be mapped as data, the record Id or a lookup, not as %2")
                                              .arg(column->name, roleName(change.role)));
        ColumnInfo &c = *column;
        if (roles.idColumn == c.index)
            roles.idColumn = -1;
        c.role = change.role;
        c.relationshipName.clear();
        c.externalIdField.clear();
        c.targetObjects.clear();
        c.keyPrefixes.clear();
        if (change.role == ColumnRole::RecordId) {
            // One record Id column: the one it replaces is data now.
            for (auto &other : roles.columns)
                if (other.role == ColumnRole::RecordId && other.index != c.index) {
                    other.role = ColumnRole::Data;
                    other.keyPrefixes.clear();
                }
            roles.idColumn = c.index;
            if (const QString prefix = KeyPrefixes::prefixFor(roles.object); !prefix.isEmpty())
                c.keyPrefixes = {prefix};
        } else if (change.role == ColumnRole::Lookup) {
            c.targetObjects = change.targets;
            c.keyPrefixes = prefixesFor(change.targets);
            if (c.keyPrefixes.size() != change.targets.size())
                c.keyPrefixes.clear();   // a custom object's prefix is per org: any Id will do
        }
    }
    return {};
}

} // namespace lockstep
