#include "demoorg/Schema.h"

#include <QJsonArray>

namespace lockstep::demoorg {

QString fieldTypeName(FieldType type)
{
    switch (type) {
    case FieldType::Id: return QStringLiteral("id");
    case FieldType::Reference: return QStringLiteral("reference");
    case FieldType::String: return QStringLiteral("string");
    case FieldType::TextArea: return QStringLiteral("textarea");
    case FieldType::Picklist: return QStringLiteral("picklist");
    case FieldType::Email: return QStringLiteral("email");
    case FieldType::Phone: return QStringLiteral("phone");
    case FieldType::Double: return QStringLiteral("double");
    case FieldType::Currency: return QStringLiteral("currency");
    case FieldType::Int: return QStringLiteral("int");
    case FieldType::Boolean: return QStringLiteral("boolean");
    case FieldType::Date: return QStringLiteral("date");
    case FieldType::DateTime: return QStringLiteral("datetime");
    }
    return QStringLiteral("string");
}

namespace {

QString soapType(FieldType type)
{
    switch (type) {
    case FieldType::Id:
    case FieldType::Reference: return QStringLiteral("tns:ID");
    case FieldType::Double:
    case FieldType::Currency: return QStringLiteral("xsd:double");
    case FieldType::Int: return QStringLiteral("xsd:int");
    case FieldType::Boolean: return QStringLiteral("xsd:boolean");
    case FieldType::Date: return QStringLiteral("xsd:date");
    case FieldType::DateTime: return QStringLiteral("xsd:dateTime");
    default: return QStringLiteral("xsd:string");
    }
}

FieldDef field(const QString &name, FieldType type, const QString &label = {})
{
    FieldDef f;
    f.name = name;
    f.type = type;
    f.label = label.isEmpty() ? name : label;
    if (type == FieldType::Id || type == FieldType::Reference)
        f.length = 18;
    if (type == FieldType::TextArea)
        f.length = 32000;
    if (f.isNumeric() || type == FieldType::Boolean || type == FieldType::Date || type == FieldType::DateTime)
        f.length = 0;
    return f;
}

FieldDef required(FieldDef f)
{
    f.nillable = false;
    return f;
}

FieldDef reference(const QString &name, const QStringList &targets, const QString &relationship, const QString &label = {})
{
    FieldDef f = field(name, FieldType::Reference, label);
    f.referenceTo = targets;
    f.relationshipName = relationship;
    return f;
}

FieldDef readOnly(FieldDef f)
{
    f.createable = false;
    f.updateable = false;
    return f;
}

FieldDef externalIdField()
{
    FieldDef f = field(QStringLiteral("External_Id__c"), FieldType::String, QStringLiteral("External Id"));
    f.externalId = true;
    f.unique = true;
    return f;
}

FieldDef picklist(const QString &name, const QStringList &values, const QString &defaultValue = {})
{
    FieldDef f = field(name, FieldType::Picklist);
    f.picklist = values;
    if (!defaultValue.isEmpty()) {
        f.defaultValue = defaultValue;
        f.defaultedOnCreate = true;
    }
    return f;
}

FieldDef rollup(const QString &name, const QString &child, const QString &via, const QString &sum)
{
    FieldDef f = readOnly(field(name, sum.isEmpty() ? FieldType::Double : FieldType::Currency));
    f.rollupChild = child;
    f.rollupField = via;
    f.rollupSum = sum;
    return f;
}

// Fields every object has; the org sets them.
void addSystemFields(ObjectDef &o)
{
    FieldDef id = readOnly(field(QStringLiteral("Id"), FieldType::Id, o.label + QStringLiteral(" ID")));
    id.nillable = false;
    id.defaultedOnCreate = true;
    id.system = true;
    o.fields.insert(o.fields.begin(), id);
    for (const auto &[name, type] : {std::pair{QStringLiteral("CreatedDate"), FieldType::DateTime},
                                     std::pair{QStringLiteral("LastModifiedDate"), FieldType::DateTime},
                                     std::pair{QStringLiteral("SystemModstamp"), FieldType::DateTime}}) {
        FieldDef f = readOnly(field(name, type));
        f.nillable = false;
        f.defaultedOnCreate = true;
        f.system = true;
        o.fields.push_back(f);
    }
    for (const QString &name : {QStringLiteral("CreatedById"), QStringLiteral("LastModifiedById")}) {
        FieldDef f = readOnly(reference(name, {QStringLiteral("User")}, name.left(name.size() - 2)));
        f.nillable = false;
        f.defaultedOnCreate = true;
        f.system = true;
        o.fields.push_back(f);
    }
    FieldDef deleted = readOnly(field(QStringLiteral("IsDeleted"), FieldType::Boolean, QStringLiteral("Deleted")));
    deleted.nillable = false;
    deleted.defaultedOnCreate = true;
    deleted.system = true;
    o.fields.push_back(deleted);
}

ObjectDef makeObject(const QString &name, const QString &prefix, const QString &plural, std::vector<FieldDef> fields)
{
    ObjectDef o;
    o.name = name;
    o.label = name.endsWith(QLatin1String("__c")) ? QString(name).chopped(3).replace(QLatin1Char('_'), QLatin1Char(' ')) : name;
    o.labelPlural = plural;
    o.keyPrefix = prefix;
    o.custom = name.endsWith(QLatin1String("__c"));
    o.fields = std::move(fields);
    addSystemFields(o);
    return o;
}

} // namespace

const FieldDef *ObjectDef::field(const QString &name) const
{
    for (const auto &f : fields)
        if (f.name.compare(name, Qt::CaseInsensitive) == 0)
            return &f;
    return nullptr;
}

Schema Schema::standard(const CustomObjectConfig &custom)
{
    Schema s;
    s.m_custom = custom;
    const QString owner = QStringLiteral("OwnerId");
    auto ownerField = [&] { return reference(owner, {QStringLiteral("User")}, QStringLiteral("Owner"), QStringLiteral("Owner ID")); };

    ObjectDef user = makeObject(QStringLiteral("User"), QStringLiteral("005"), QStringLiteral("Users"),
                            {required(field(QStringLiteral("Username"), FieldType::String)), field(QStringLiteral("Name"), FieldType::String),
                             field(QStringLiteral("FirstName"), FieldType::String), required(field(QStringLiteral("LastName"), FieldType::String)),
                             required(field(QStringLiteral("Email"), FieldType::Email)), field(QStringLiteral("IsActive"), FieldType::Boolean),
                             field(QStringLiteral("TimeZoneSidKey"), FieldType::Picklist)});
    user.createable = user.updateable = user.deletable = false;
    s.m_objects.push_back(user);

    ObjectDef org = makeObject(QStringLiteral("Organization"), QStringLiteral("00D"), QStringLiteral("Organizations"),
                           {field(QStringLiteral("Name"), FieldType::String), field(QStringLiteral("InstanceName"), FieldType::String),
                            field(QStringLiteral("IsSandbox"), FieldType::Boolean), field(QStringLiteral("TrialExpirationDate"), FieldType::DateTime),
                            field(QStringLiteral("NamespacePrefix"), FieldType::String), field(QStringLiteral("OrganizationType"), FieldType::Picklist)});
    for (auto &f : org.fields)
        f.createable = f.updateable = false;
    org.createable = org.updateable = org.deletable = false;
    s.m_objects.push_back(org);

    const QString totalAmount = QStringLiteral("Total_Opportunity_Amount__c");
    ObjectDef account = makeObject(QStringLiteral("Account"), QStringLiteral("001"), QStringLiteral("Accounts"),
                               {required(field(QStringLiteral("Name"), FieldType::String, QStringLiteral("Account Name"))), ownerField(),
                                picklist(QStringLiteral("Industry"), {QStringLiteral("Agriculture"), QStringLiteral("Banking"), QStringLiteral("Technology")}),
                                field(QStringLiteral("BillingCity"), FieldType::String), field(QStringLiteral("Phone"), FieldType::Phone),
                                field(QStringLiteral("AnnualRevenue"), FieldType::Currency), field(QStringLiteral("NumberOfEmployees"), FieldType::Int),
                                externalIdField(), rollup(totalAmount, QStringLiteral("Opportunity"), QStringLiteral("AccountId"), QStringLiteral("Amount"))});
    s.m_objects.push_back(account);

    ObjectDef contact = makeObject(QStringLiteral("Contact"), QStringLiteral("003"), QStringLiteral("Contacts"),
                               {reference(QStringLiteral("AccountId"), {QStringLiteral("Account")}, QStringLiteral("Account"), QStringLiteral("Account ID")),
                                field(QStringLiteral("FirstName"), FieldType::String), required(field(QStringLiteral("LastName"), FieldType::String)),
                                field(QStringLiteral("Email"), FieldType::Email), field(QStringLiteral("Phone"), FieldType::Phone), ownerField(),
                                externalIdField()});
    contact.lockingFields = {QStringLiteral("AccountId")};
    s.m_objects.push_back(contact);

    ObjectDef opp = makeObject(QStringLiteral("Opportunity"), QStringLiteral("006"), QStringLiteral("Opportunities"),
                           {reference(QStringLiteral("AccountId"), {QStringLiteral("Account")}, QStringLiteral("Account"), QStringLiteral("Account ID")),
                            required(field(QStringLiteral("Name"), FieldType::String)),
                            required(picklist(QStringLiteral("StageName"), {QStringLiteral("Prospecting"), QStringLiteral("Qualification"), QStringLiteral("Closed Won"), QStringLiteral("Closed Lost")})),
                            required(field(QStringLiteral("CloseDate"), FieldType::Date)), field(QStringLiteral("Amount"), FieldType::Currency),
                            field(QStringLiteral("Probability"), FieldType::Double), field(QStringLiteral("Description"), FieldType::TextArea), ownerField(),
                            externalIdField()});
    opp.lockingFields = {QStringLiteral("AccountId")};
    s.m_objects.push_back(opp);

    ObjectDef cs = makeObject(QStringLiteral("Case"), QStringLiteral("500"), QStringLiteral("Cases"),
                          {reference(QStringLiteral("AccountId"), {QStringLiteral("Account")}, QStringLiteral("Account"), QStringLiteral("Account ID")),
                           reference(QStringLiteral("ContactId"), {QStringLiteral("Contact")}, QStringLiteral("Contact"), QStringLiteral("Contact ID")),
                           field(QStringLiteral("Subject"), FieldType::String),
                           picklist(QStringLiteral("Status"), {QStringLiteral("New"), QStringLiteral("Working"), QStringLiteral("Escalated"), QStringLiteral("Closed")}, QStringLiteral("New")),
                           picklist(QStringLiteral("Priority"), {QStringLiteral("High"), QStringLiteral("Medium"), QStringLiteral("Low")}, QStringLiteral("Medium")),
                           picklist(QStringLiteral("Origin"), {QStringLiteral("Phone"), QStringLiteral("Email"), QStringLiteral("Web")}), ownerField(),
                           externalIdField()});
    cs.lockingFields = {QStringLiteral("AccountId"), QStringLiteral("ContactId")};
    s.m_objects.push_back(cs);

    const QStringList whatTargets{QStringLiteral("Account"), QStringLiteral("Opportunity"), QStringLiteral("Case"), custom.master};
    ObjectDef task = makeObject(QStringLiteral("Task"), QStringLiteral("00T"), QStringLiteral("Tasks"),
                            {reference(QStringLiteral("WhatId"), whatTargets, QStringLiteral("What"), QStringLiteral("Related To ID")),
                             reference(QStringLiteral("WhoId"), {QStringLiteral("Contact")}, QStringLiteral("Who"), QStringLiteral("Name ID")),
                             field(QStringLiteral("Subject"), FieldType::String), field(QStringLiteral("ActivityDate"), FieldType::Date),
                             required(picklist(QStringLiteral("Status"), {QStringLiteral("Not Started"), QStringLiteral("In Progress"), QStringLiteral("Completed")}, QStringLiteral("Not Started"))),
                             required(picklist(QStringLiteral("Priority"), {QStringLiteral("High"), QStringLiteral("Normal"), QStringLiteral("Low")}, QStringLiteral("Normal"))),
                             field(QStringLiteral("DurationInMinutes"), FieldType::Int), ownerField(), externalIdField()});
    task.lockingFields = {QStringLiteral("WhoId"), QStringLiteral("WhatId")};
    s.m_objects.push_back(task);

    ObjectDef master = makeObject(custom.master, custom.masterPrefix, custom.master.chopped(3) + QStringLiteral("s"),
                              {field(QStringLiteral("Name"), FieldType::String), ownerField(), externalIdField(),
                               rollup(QStringLiteral("Line_Count__c"), custom.child, custom.masterField, {}),
                               rollup(QStringLiteral("Total_Amount__c"), custom.child, custom.masterField, QStringLiteral("Amount__c"))});
    s.m_objects.push_back(master);

    FieldDef md = required(reference(custom.masterField, {custom.master}, custom.masterField.chopped(3) + QStringLiteral("__r"), QStringLiteral("Master")));
    md.relationshipOrder = 0;
    md.cascadeDelete = true;
    ObjectDef child = makeObject(custom.child, custom.childPrefix, custom.child.chopped(3) + QStringLiteral("s"),
                             {md, field(QStringLiteral("Name"), FieldType::String), field(QStringLiteral("Quantity__c"), FieldType::Double),
                              field(QStringLiteral("Amount__c"), FieldType::Currency), externalIdField()});
    child.lockingFields = {custom.masterField};
    s.m_objects.push_back(child);

    ObjectDef rule = makeObject(QStringLiteral("DuplicateRule"), QStringLiteral("0Bv"), QStringLiteral("Duplicate Rules"),
                            {field(QStringLiteral("DeveloperName"), FieldType::String), field(QStringLiteral("MasterLabel"), FieldType::String),
                             field(QStringLiteral("SobjectType"), FieldType::Picklist), field(QStringLiteral("IsActive"), FieldType::Boolean),
                             field(QStringLiteral("SobjectSubtype"), FieldType::Picklist)});
    // IsActive is read-only over the API, as documented; the Metadata API switches it.
    for (auto &f : rule.fields)
        f.createable = f.updateable = false;
    rule.createable = rule.updateable = rule.deletable = false;
    s.m_objects.push_back(rule);

    // Child relationships follow from the references.
    for (auto &parent : s.m_objects)
        for (const auto &o : s.m_objects)
            for (const auto &f : o.fields)
                if (f.type == FieldType::Reference && !f.system && f.name != owner && f.referenceTo.contains(parent.name)) {
                    QString rel = o.labelPlural;
                    rel.remove(QLatin1Char(' '));
                    if (o.custom)
                        rel = o.name.chopped(3) + QStringLiteral("s__r");
                    parent.children.push_back({o.name, f.name, rel, f.cascadeDelete, f.restrictedDelete});
                }
    return s;
}

const ObjectDef *Schema::object(const QString &name) const
{
    for (const auto &o : m_objects)
        if (o.name.compare(name, Qt::CaseInsensitive) == 0)
            return &o;
    return nullptr;
}

const ObjectDef *Schema::objectForPrefix(QStringView prefix) const
{
    for (const auto &o : m_objects)
        if (o.keyPrefix == prefix)
            return &o;
    return nullptr;
}

QJsonObject Schema::describeGlobalEntry(const ObjectDef &o, const QString &version) const
{
    const QString base = QStringLiteral("/services/data/v%1/sobjects/%2").arg(version, o.name);
    return QJsonObject{{QStringLiteral("name"), o.name},
                       {QStringLiteral("label"), o.label},
                       {QStringLiteral("labelPlural"), o.labelPlural},
                       {QStringLiteral("keyPrefix"), o.keyPrefix},
                       {QStringLiteral("custom"), o.custom},
                       {QStringLiteral("createable"), o.createable},
                       {QStringLiteral("updateable"), o.updateable},
                       {QStringLiteral("deletable"), o.deletable},
                       {QStringLiteral("queryable"), true},
                       {QStringLiteral("retrieveable"), true},
                       {QStringLiteral("searchable"), o.name != QLatin1String("DuplicateRule")},
                       {QStringLiteral("layoutable"), o.createable},
                       {QStringLiteral("triggerable"), o.createable},
                       {QStringLiteral("customSetting"), false},
                       {QStringLiteral("deprecatedAndHidden"), false},
                       {QStringLiteral("urls"), QJsonObject{{QStringLiteral("sobject"), base},
                                                            {QStringLiteral("describe"), base + QStringLiteral("/describe")},
                                                            {QStringLiteral("rowTemplate"), base + QStringLiteral("/{ID}")}}}};
}

QJsonObject Schema::describe(const ObjectDef &o, const QString &version) const
{
    QJsonObject d = describeGlobalEntry(o, version);
    QJsonArray fields;
    for (const auto &f : o.fields) {
        QJsonArray picklistValues;
        for (const auto &v : f.picklist)
            picklistValues.append(QJsonObject{{QStringLiteral("active"), true}, {QStringLiteral("defaultValue"), v == f.defaultValue},
                                              {QStringLiteral("label"), v}, {QStringLiteral("value"), v}, {QStringLiteral("validFor"), QJsonValue()}});
        fields.append(QJsonObject{
            {QStringLiteral("name"), f.name},
            {QStringLiteral("label"), f.label},
            {QStringLiteral("type"), fieldTypeName(f.type)},
            {QStringLiteral("soapType"), soapType(f.type)},
            {QStringLiteral("length"), f.length},
            {QStringLiteral("precision"), f.isNumeric() ? 18 : 0},
            {QStringLiteral("scale"), f.type == FieldType::Currency ? 2 : 0},
            {QStringLiteral("referenceTo"), QJsonArray::fromStringList(f.referenceTo)},
            {QStringLiteral("relationshipName"), f.relationshipName.isEmpty() ? QJsonValue() : QJsonValue(f.relationshipName)},
            {QStringLiteral("relationshipOrder"), f.relationshipOrder ? QJsonValue(*f.relationshipOrder) : QJsonValue()},
            {QStringLiteral("cascadeDelete"), f.cascadeDelete},
            {QStringLiteral("restrictedDelete"), f.restrictedDelete},
            {QStringLiteral("externalId"), f.externalId},
            {QStringLiteral("idLookup"), f.externalId || f.type == FieldType::Id},
            {QStringLiteral("unique"), f.unique},
            {QStringLiteral("createable"), f.createable},
            {QStringLiteral("updateable"), f.updateable},
            {QStringLiteral("nillable"), f.nillable},
            {QStringLiteral("defaultedOnCreate"), f.defaultedOnCreate},
            {QStringLiteral("defaultValue"), f.defaultValue.isEmpty() ? QJsonValue() : QJsonValue(f.defaultValue)},
            {QStringLiteral("calculated"), f.isRollup()},
            {QStringLiteral("calculatedFormula"), QJsonValue()},
            {QStringLiteral("custom"), f.name.endsWith(QLatin1String("__c"))},
            {QStringLiteral("filterable"), f.type != FieldType::TextArea},
            {QStringLiteral("sortable"), f.type != FieldType::TextArea},
            {QStringLiteral("groupable"), !f.isNumeric() && f.type != FieldType::TextArea},
            {QStringLiteral("caseSensitive"), false},
            {QStringLiteral("nameField"), f.name == QLatin1String("Name")},
            {QStringLiteral("writeRequiresMasterRead"), f.isMasterDetail()},
            {QStringLiteral("updateable"), f.updateable},
            {QStringLiteral("picklistValues"), picklistValues},
        });
    }
    QJsonArray children;
    for (const auto &c : o.children)
        children.append(QJsonObject{{QStringLiteral("childSObject"), c.childObject},
                                    {QStringLiteral("field"), c.field},
                                    {QStringLiteral("relationshipName"), c.relationshipName},
                                    {QStringLiteral("cascadeDelete"), c.cascadeDelete},
                                    {QStringLiteral("restrictedDelete"), c.restrictedDelete},
                                    {QStringLiteral("deprecatedAndHidden"), false}});
    d.insert(QStringLiteral("fields"), fields);
    d.insert(QStringLiteral("childRelationships"), children);
    d.insert(QStringLiteral("recordTypeInfos"), QJsonArray());
    return d;
}

} // namespace lockstep::demoorg
