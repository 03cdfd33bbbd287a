#include "demoorg/Versioned.h"
#include "demoorg/SObjectApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/FieldValue.h"
#include "demoorg/RecordStore.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <chrono>
#include <thread>

namespace lockstep::demoorg {

namespace {

constexpr int kMaxCollection = 200;


RecordError conversionError(const FieldDef &field, const QString &message)
{
    if (field.type == FieldType::Id || field.type == FieldType::Reference)
        return RecordError{QStringLiteral("MALFORMED_ID"), message, {field.name}, {}};
    if (message.contains(QLatin1String("data value too large")))
        return RecordError{QStringLiteral("STRING_TOO_LONG"), message, {field.name}, {}};
    return RecordError{QStringLiteral("INVALID_TYPE_ON_FIELD_IN_RECORD"), message, {field.name}, {}};
}

std::expected<QJsonDocument, ServerResponse> parseJson(const QByteArray &body)
{
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(ApiErrors::malformedJson(QStringLiteral("Unexpected character at [line:1, column:%1]: %2").arg(error.offset + 1).arg(error.errorString())));
    return doc;
}

QByteArray outcomeJson(const RowOutcome &o, bool withCreated)
{
    return ApiErrors::collectionEntry(o.id, o.success, o.errors, withCreated && o.success ? std::optional<bool>(o.created) : std::nullopt);
}

QByteArray joinEntries(const QList<QByteArray> &entries)
{
    return '[' + entries.join(',') + ']';
}

ServerResponse singleError(const RowOutcome &o)
{
    // A lock or duplicate is the caller's problem to retry or fix: 400, like every row error.
    return ServerResponse::bytes(o.errors.front().statusCode == QLatin1String("ENTITY_IS_DELETED") ? 404 : 400, ApiErrors::restErrorArray(o.errors),
                                 "application/json;charset=UTF-8");
}

} // namespace

bool SObjectApi::allowDuplicates(const ServerRequest &request)
{
    const QByteArray h = request.header("sforce-duplicate-rule-header").toLower();
    return h.contains("allowsave=true");
}

std::expected<WriteRow, ServerResponse> SObjectApi::recordFromBody(const ObjectDef &object, const QByteArray &body)
{
    auto doc = parseJson(body);
    if (!doc)
        return std::unexpected(doc.error());
    if (!doc->isObject())
        return std::unexpected(ApiErrors::malformedJson(QStringLiteral("Expected a JSON object for the record")));
    return rowFromJson(object, doc->object());
}

std::expected<WriteRow, ServerResponse> SObjectApi::rowFromJson(const ObjectDef &object, const QJsonObject &record)
{
    WriteRow row;
    for (auto it = record.begin(); it != record.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("attributes"))
            continue;
        const FieldDef *f = object.field(key);
        if (!f)
            return std::unexpected(ApiErrors::rest(400, QStringLiteral("INVALID_FIELD"),
                                                   QStringLiteral("No such column '%1' on sobject of type %2").arg(key, object.name)));
        if (f->name == QLatin1String("Id")) {
            row.id = it->toString();
            continue;
        }
        auto value = FieldValue::fromJson(*f, *it);
        if (!value) {
            if (!row.error)
                row.error = conversionError(*f, value.error());
            continue;
        }
        row.values.insert(f->name, *value);
    }
    return row;
}

ServerResponse SObjectApi::paced(const ServerRequest &request, const std::function<ServerResponse()> &call) const
{
    // A REST write spends time outside its transaction on the way in and out (the profile's
    // restRoundTripSeconds, which the predictor charges every call): half before the call, the
    // rest after it, scaled. Both halves count from when the request had been read, so this
    // server's own time — waiting for a worker, parsing, checks, the answer — is part of the
    // round trip, not added to it: at scale 0.05 every millisecond of it would otherwise count
    // as 20 platform milliseconds, and plans of many small calls (small batches, a per-parent
    // queue) would run slower here than on an org, more so on a slower machine. On loopback a
    // call would otherwise cost next to nothing, and such plans would run faster than on an org.
    using Clock = std::chrono::steady_clock;
    const double roundTrip = m_org.profile ? m_org.profile->org.restRoundTripSeconds * m_org.profile->scale : 0.0;
    if (roundTrip <= 0)
        return call();
    auto seconds = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
    std::this_thread::sleep_until(request.received + seconds(roundTrip / 2));
    (void)WriteEngine::takeThreadTransactionSeconds();
    ServerResponse response = call();
    // The transactions last what the model says (lock waits included) and come on top.
    std::this_thread::sleep_until(request.received + seconds(roundTrip + WriteEngine::takeThreadTransactionSeconds()));
    return response;
}

void SObjectApi::registerRoutes(Router &router)
{
    const QString so = QStringLiteral("/services/data/{version}/sobjects/{object}");
    router.add("POST", so, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) { return paced(r, [&] { return create(r, p.value(QStringLiteral("object"))); }); }));
    router.add("GET", so + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &v) {
                   return retrieve(r, v, p.value(QStringLiteral("object")), p.value(QStringLiteral("id")));
               }));
    router.add("PATCH", so + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) {
                   return paced(r, [&] { return update(r, p.value(QStringLiteral("object")), p.value(QStringLiteral("id"))); });
               }));
    router.add("DELETE", so + QStringLiteral("/{id}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) {
                   return paced(r, [&] { return remove(p.value(QStringLiteral("object")), p.value(QStringLiteral("id"))); });
               }));
    router.add("PATCH", so + QStringLiteral("/{field}/{value}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) {
                   return paced(r, [&] { return upsert(r, p.value(QStringLiteral("object")), p.value(QStringLiteral("field")), p.value(QStringLiteral("value"))); });
               }));
    router.add("GET", so + QStringLiteral("/{field}/{value}"), Access::Session, versioned([this](const ServerRequest &, const RouteParams &p, const QString &v) {
                   return retrieveByExternalId(v, p.value(QStringLiteral("object")), p.value(QStringLiteral("field")), p.value(QStringLiteral("value")));
               }));
    const QString co = QStringLiteral("/services/data/{version}/composite/sobjects");
    router.add("POST", co, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &) { return paced(r, [&] { return collectionWrite(r, Operation::Insert, {}, {}); }); }));
    router.add("PATCH", co, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &) { return paced(r, [&] { return collectionWrite(r, Operation::Update, {}, {}); }); }));
    router.add("DELETE", co, Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &) { return paced(r, [&] { return collectionDelete(r); }); }));
    router.add("GET", co + QStringLiteral("/{object}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &v) {
                   return collectionRetrieve(r, v, p.value(QStringLiteral("object")));
               }));
    router.add("PATCH", co + QStringLiteral("/{object}/{field}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &p, const QString &) {
                   // Data Loader's REST mode updates through this path with ?updateOnly=true.
                   const bool updateOnly = r.queryValue(QStringLiteral("updateOnly")) == QLatin1String("true");
                   return paced(r, [&] { return collectionWrite(r, updateOnly ? Operation::Update : Operation::Upsert, p.value(QStringLiteral("object")), p.value(QStringLiteral("field"))); });
               }));
    router.add("DELETE", co + QStringLiteral("/{object}/{field}"), Access::Session, versioned([this](const ServerRequest &r, const RouteParams &, const QString &) {
                   return paced(r, [&] { return collectionDelete(r); });
               }));
}

std::expected<QJsonObject, ServerResponse> SObjectApi::recordJson(const ObjectDef &object, const QString &id, const QStringList &fields, const QString &version)
{
    QStringList names;
    for (const QString &f : fields) {
        const FieldDef *def = object.field(f.trimmed());
        if (!def)
            return std::unexpected(ApiErrors::rest(400, QStringLiteral("INVALID_FIELD"), QStringLiteral("No such column '%1' on sobject of type %2").arg(f.trimmed(), object.name)));
        names << def->name;
    }
    auto record = m_org.store->get(object, id, names);
    if (!record)
        return std::unexpected(ApiErrors::rest(500, QStringLiteral("UNKNOWN_EXCEPTION"), record.error().message));
    if (!*record)
        return std::unexpected(ApiErrors::notFound());
    QJsonObject j{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("type"), object.name},
                                                            {QStringLiteral("url"), QStringLiteral("/services/data/v%1/sobjects/%2/%3").arg(version, object.name, id)}}}};
    const QStringList order = names.isEmpty() ? [&] {
        QStringList all;
        for (const auto &f : object.fields)
            all << f.name;
        return all;
    }()
                                              : names;
    for (const QString &n : order)
        j.insert(n, FieldValue::toJson(*object.field(n), (**record).value(n)));
    return j;
}

ServerResponse SObjectApi::create(const ServerRequest &request, const QString &objectName)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    auto row = recordFromBody(*object, request.body);
    if (!row)
        return row.error();
    WriteBatch batch{object, Operation::Insert, {}, true, allowDuplicates(request), {*row}};
    const RowOutcome o = m_org.writer->write(batch).front();
    if (!o.success)
        return singleError(o);
    return ServerResponse::json(201, QJsonDocument(QJsonObject{{QStringLiteral("id"), o.id}, {QStringLiteral("success"), true}, {QStringLiteral("errors"), QJsonArray()}}));
}

ServerResponse SObjectApi::retrieve(const ServerRequest &request, const QString &version, const QString &objectName, const QString &rawId)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    const QString id = FieldValue::canonicalId(rawId);
    if (id.isEmpty() || !id.startsWith(object->keyPrefix)) {
        // Not an Id of this object: Salesforce reads it as an external-id-less lookup and fails.
        return ApiErrors::rest(404, QStringLiteral("NOT_FOUND"), QStringLiteral("Provided external ID field does not exist or is not accessible: %1").arg(rawId));
    }
    QStringList fields;
    if (request.hasQuery(QStringLiteral("fields")))
        fields = request.queryValue(QStringLiteral("fields")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    auto j = recordJson(*object, id, fields, version);
    if (!j)
        return j.error();
    return ServerResponse::json(200, QJsonDocument(*j));
}

ServerResponse SObjectApi::update(const ServerRequest &request, const QString &objectName, const QString &rawId)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    auto row = recordFromBody(*object, request.body);
    if (!row)
        return row.error();
    row->id = rawId;
    WriteBatch batch{object, Operation::Update, {}, true, allowDuplicates(request), {*row}};
    const RowOutcome o = m_org.writer->write(batch).front();
    if (!o.success)
        return singleError(o);
    return ServerResponse::empty(204);
}

ServerResponse SObjectApi::remove(const QString &objectName, const QString &rawId)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    WriteBatch batch{object, Operation::Delete, {}, true, false, {WriteRow{rawId, {}, {}, std::nullopt}}};
    const RowOutcome o = m_org.writer->write(batch).front();
    if (!o.success)
        return singleError(o);
    return ServerResponse::empty(204);
}

ServerResponse SObjectApi::upsert(const ServerRequest &request, const QString &objectName, const QString &fieldName, const QString &value)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    const FieldDef *field = object->field(fieldName);
    if (!field || !(field->externalId || field->name == QLatin1String("Id")))
        return ApiErrors::rest(404, QStringLiteral("NOT_FOUND"), QStringLiteral("Provided external ID field does not exist or is not accessible: %1").arg(fieldName));
    auto row = recordFromBody(*object, request.body);
    if (!row)
        return row.error();
    if (field->name == QLatin1String("Id"))
        row->id = value;
    else
        row->externalValue = value;
    WriteBatch batch{object, Operation::Upsert, field->name, true, allowDuplicates(request), {*row}};
    const RowOutcome o = m_org.writer->write(batch).front();
    if (!o.success)
        return singleError(o);
    return ServerResponse::json(o.created ? 201 : 200, QJsonDocument(QJsonObject{{QStringLiteral("id"), o.id},
                                                                                  {QStringLiteral("success"), true},
                                                                                  {QStringLiteral("errors"), QJsonArray()},
                                                                                  {QStringLiteral("created"), o.created}}));
}

ServerResponse SObjectApi::retrieveByExternalId(const QString &version, const QString &objectName, const QString &fieldName, const QString &value)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    const FieldDef *field = object->field(fieldName);
    if (!field || !field->externalId)
        return ApiErrors::rest(404, QStringLiteral("NOT_FOUND"), QStringLiteral("Provided external ID field does not exist or is not accessible: %1").arg(fieldName));
    auto ids = m_org.store->idsByValue(*object, field->name, {value});
    if (!ids || ids->isEmpty())
        return ApiErrors::notFound();
    auto j = recordJson(*object, ids->value(value.toLower()), {}, version);
    if (!j)
        return j.error();
    return ServerResponse::json(200, QJsonDocument(*j));
}

ServerResponse SObjectApi::collectionWrite(const ServerRequest &request, Operation operation, const QString &objectName, const QString &externalField)
{
    auto doc = parseJson(request.body);
    if (!doc)
        return doc.error();
    const QJsonObject body = doc->object();
    const QJsonArray records = body.value(QStringLiteral("records")).toArray();
    if (!doc->isObject() || !body.value(QStringLiteral("records")).isArray())
        return ApiErrors::malformedJson(QStringLiteral("Expected {\"allOrNone\": …, \"records\": [ … ]}"));
    if (records.isEmpty())
        return ApiErrors::rest(400, QStringLiteral("INVALID_FIELD"), QStringLiteral("No records specified"));
    if (records.size() > kMaxCollection)
        return ApiErrors::rest(400, QStringLiteral("EXCEEDED_ID_LIMIT"), QStringLiteral("record limit reached. cannot submit more than 200 records into this call"));
    const bool allOrNone = body.value(QStringLiteral("allOrNone")).toBool(false);
    const bool duplicatesAllowed = allowDuplicates(request);
    const Schema &schema = m_org.store->schema();

    const ObjectDef *fixed = nullptr;
    const FieldDef *extField = nullptr;
    if (!objectName.isEmpty()) {
        fixed = schema.object(objectName);
        if (!fixed)
            return ApiErrors::notFound();
        extField = fixed->field(externalField);
        if (!extField || !(extField->externalId || extField->name == QLatin1String("Id")))
            return ApiErrors::rest(400, QStringLiteral("INVALID_FIELD"), QStringLiteral("Provided external ID field does not exist or is not accessible: %1").arg(externalField));
    }
    // Records are written in runs of one object type, in input order (one transaction each).
    std::vector<WriteBatch> runs;
    for (const QJsonValue &v : records) {
        const QJsonObject record = v.toObject();
        QString type = record.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("type")).toString();
        if (type.isEmpty() && fixed)
            type = fixed->name;
        if (type.isEmpty() && operation == Operation::Update) {
            // An update may name only Ids; the key prefix says the object.
            const QString id = FieldValue::canonicalId(record.value(QStringLiteral("Id")).toString());
            if (const ObjectDef *o = schema.objectForPrefix(QStringView(id).left(3)))
                type = o->name;
        }
        if (type.isEmpty())
            return ApiErrors::rest(400, QStringLiteral("INVALID_TYPE"), QStringLiteral("Must send a concrete entity type."));
        const ObjectDef *object = schema.object(type);
        if (!object)
            return ApiErrors::rest(400, QStringLiteral("INVALID_TYPE"), QStringLiteral("sObject type '%1' is not supported.").arg(type));
        if (fixed && object != fixed)
            return ApiErrors::rest(400, QStringLiteral("INVALID_TYPE"), QStringLiteral("Mismatched types: %1 and %2").arg(type, fixed->name));
        auto row = rowFromJson(*object, record);
        if (!row)
            return row.error();
        if (operation == Operation::Upsert && extField->name != QLatin1String("Id")) {
            row->externalValue = row->values.value(extField->name).toString();
            row->values.remove(extField->name);
        }
        if (runs.empty() || runs.back().object != object)
            runs.push_back(WriteBatch{object, operation, extField ? extField->name : QString(), allOrNone, duplicatesAllowed, {}});
        runs.back().rows.push_back(std::move(*row));
    }
    QList<QByteArray> results;
    for (const auto &run : runs)
        for (const auto &o : m_org.writer->write(run))
            results.append(outcomeJson(o, operation == Operation::Upsert));
    return ServerResponse::bytes(200, joinEntries(results), "application/json;charset=UTF-8");
}

ServerResponse SObjectApi::collectionDelete(const ServerRequest &request)
{
    const QStringList ids = request.queryValue(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (ids.isEmpty())
        return ApiErrors::rest(400, QStringLiteral("MISSING_ARGUMENT"), QStringLiteral("ids parameter is required"));
    if (ids.size() > kMaxCollection)
        return ApiErrors::rest(400, QStringLiteral("EXCEEDED_ID_LIMIT"), QStringLiteral("record limit reached. cannot submit more than 200 records into this call"));
    const bool allOrNone = request.queryValue(QStringLiteral("allOrNone")) == QLatin1String("true");
    const Schema &schema = m_org.store->schema();
    std::vector<WriteBatch> runs;
    for (const QString &raw : ids) {
        const QString id = FieldValue::canonicalId(raw.trimmed());
        const ObjectDef *object = id.isEmpty() ? nullptr : schema.objectForPrefix(QStringView(id).left(3));
        if (!object) {
            // An Id no object owns fails on its own; Salesforce reports it per record.
            if (runs.empty() || runs.back().object != nullptr)
                runs.push_back(WriteBatch{nullptr, Operation::Delete, {}, allOrNone, false, {}});
            runs.back().rows.push_back(WriteRow{raw, {}, {}, RecordError{QStringLiteral("MALFORMED_ID"), QStringLiteral("malformed id %1").arg(raw), {}, {}}});
            continue;
        }
        if (runs.empty() || runs.back().object != object)
            runs.push_back(WriteBatch{object, Operation::Delete, {}, allOrNone, false, {}});
        runs.back().rows.push_back(WriteRow{id, {}, {}, std::nullopt});
    }
    QList<QByteArray> results;
    for (const auto &run : runs) {
        if (!run.object) {
            for (const auto &row : run.rows)
                results.append(outcomeJson(RowOutcome{false, row.id, false, {*row.error}}, false));
            continue;
        }
        const auto outcomes = m_org.writer->write(run);
        for (size_t i = 0; i < outcomes.size(); ++i) {
            RowOutcome o = outcomes[i];
            if (o.id.isEmpty())
                o.id = run.rows[i].id;   // a delete reports the Id it was given, success or not
            results.append(outcomeJson(o, false));
        }
    }
    return ServerResponse::bytes(200, joinEntries(results), "application/json;charset=UTF-8");
}

ServerResponse SObjectApi::collectionRetrieve(const ServerRequest &request, const QString &version, const QString &objectName)
{
    const ObjectDef *object = m_org.store->schema().object(objectName);
    if (!object)
        return ApiErrors::notFound();
    const QStringList ids = request.queryValue(QStringLiteral("ids")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QStringList fields = request.queryValue(QStringLiteral("fields")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (ids.isEmpty() || fields.isEmpty())
        return ApiErrors::rest(400, QStringLiteral("MISSING_ARGUMENT"), QStringLiteral("ids and fields parameters are required"));
    if (ids.size() > 2000)
        return ApiErrors::rest(400, QStringLiteral("EXCEEDED_ID_LIMIT"), QStringLiteral("record limit reached. cannot submit more than 2000 records into this call"));
    QJsonArray out;
    for (const QString &raw : ids) {
        const QString id = FieldValue::canonicalId(raw.trimmed());
        auto j = id.isEmpty() ? std::expected<QJsonObject, ServerResponse>(std::unexpect, ApiErrors::notFound()) : recordJson(*object, id, fields, version);
        if (!j && j.error().status == 400)
            return j.error();
        out.append(j ? QJsonValue(*j) : QJsonValue());
    }
    return ServerResponse::json(200, QJsonDocument(out));
}

} // namespace lockstep::demoorg
