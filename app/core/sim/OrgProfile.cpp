#include "sim/OrgProfile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <limits>
#include <variant>

namespace lockstep {

namespace {

// One JSON field of the profile: its name, the member it maps to and its allowed range. One
// table drives toJson, fromJson and validate, so a new constant cannot miss one of them.
struct IntField {
    int OrgProfile::*member;
    int min;
    int max;
};
struct DoubleField {
    double OrgProfile::*member;
    double min;
    double max;
    bool minExclusive;
};
struct BoolField {
    bool OrgProfile::*member;
};
struct Field {
    const char *name;
    std::variant<IntField, DoubleField, BoolField> spec;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

const std::vector<Field> &fields()
{
    static const std::vector<Field> table{
        {"chunkRows", IntField{&OrgProfile::chunkRows, 1, 10000}},
        {"rowSeconds", DoubleField{&OrgProfile::rowSeconds, 0, 3600, true}},
        {"workCv", DoubleField{&OrgProfile::workCv, 0, 10, false}},
        {"lockWindowShare", DoubleField{&OrgProfile::lockWindowShare, 0, 1, false}},
        {"triggerFactor", DoubleField{&OrgProfile::triggerFactor, 0, 1000, false}},
        {"rollUpFactor", DoubleField{&OrgProfile::rollUpFactor, 0, 1000, false}},
        {"duplicateRuleRowSeconds", DoubleField{&OrgProfile::duplicateRuleRowSeconds, 0, 3600, false}},
        {"parentHoldThreshold", IntField{&OrgProfile::parentHoldThreshold, 0, 1000000000}},
        {"parentHoldSecondsPerChild", DoubleField{&OrgProfile::parentHoldSecondsPerChild, 0, 60, false}},
        {"lockTimeoutSeconds", DoubleField{&OrgProfile::lockTimeoutSeconds, 0, 3600, true}},
        {"lockFailureFailsChunk", BoolField{&OrgProfile::lockFailureFailsChunk}},
        {"partialSaveAttempts", IntField{&OrgProfile::partialSaveAttempts, 1, 100}},
        {"bulkConcurrency", IntField{&OrgProfile::bulkConcurrency, 1, 1000}},
        {"bulkBatchRows", IntField{&OrgProfile::bulkBatchRows, 1, 1000000}},
        {"bulkMaxBatchRows", IntField{&OrgProfile::bulkMaxBatchRows, 1, 1000000}},
        {"bulkUploadGapSeconds", DoubleField{&OrgProfile::bulkUploadGapSeconds, 0, 3600, false}},
        {"bulkRequeueThreshold", IntField{&OrgProfile::bulkRequeueThreshold, 0, 1000000}},
        {"bulkMaxRequeues", IntField{&OrgProfile::bulkMaxRequeues, 0, 1000}},
        {"bulk2BatchRows", IntField{&OrgProfile::bulk2BatchRows, 1, 1000000}},
        {"bulkDailyBatches", IntField{&OrgProfile::bulkDailyBatches, 1, 100000000}},
        {"restMaxBatchRows", IntField{&OrgProfile::restMaxBatchRows, 1, 10000}},
        {"restRoundTripSeconds", DoubleField{&OrgProfile::restRoundTripSeconds, 0, 3600, false}},
        {"restConcurrentRequests", IntField{&OrgProfile::restConcurrentRequests, 1, 1000}},
        {"statusPollSeconds", DoubleField{&OrgProfile::statusPollSeconds, 0, kInf, true}},
        {"estimateKappa", DoubleField{&OrgProfile::estimateKappa, 0, 10, false}},
    };
    return table;
}

const char *const kRowCosts = "rowCosts";
const char *const kDuplicateRuleObjects = "duplicateRuleObjects";

// "profile.json: org profile: missing field "rowSeconds"" — Error::toString adds the file.
std::unexpected<Error> bad(const QString &source, const QString &message)
{
    return fail(ErrorKind::BadData, QStringLiteral("org profile: ") + message, source);
}

QString number(double v)
{
    return QString::number(v, 'g', 10);
}

} // namespace

double OrgProfile::rowSecondsFor(const QString &object, Operation operation) const
{
    for (const auto &c : rowCosts)
        if (c.operation == operation && c.object.compare(object, Qt::CaseInsensitive) == 0)
            return c.seconds;
    return rowSeconds;
}

bool OrgProfile::hasDuplicateRules(const QString &object) const
{
    return duplicateRuleObjects.contains(object, Qt::CaseInsensitive);
}

Result<void> OrgProfile::validate(const QString &source) const
{
    for (const auto &f : fields()) {
        const QString name = QString::fromLatin1(f.name);
        if (const auto *i = std::get_if<IntField>(&f.spec)) {
            const int v = this->*(i->member);
            if (v < i->min || v > i->max)
                return bad(source, QStringLiteral("\"%1\" must be between %2 and %3 (got %4)").arg(name).arg(i->min).arg(i->max).arg(v));
        } else if (const auto *d = std::get_if<DoubleField>(&f.spec)) {
            const double v = this->*(d->member);
            if (!std::isfinite(v))
                return bad(source, QStringLiteral("\"%1\" must be a finite number (got %2)").arg(name, number(v)));
            if (v < 0)
                return bad(source, QStringLiteral("\"%1\" must not be negative (got %2)").arg(name, number(v)));
            if ((d->minExclusive && v <= d->min) || v < d->min)
                return bad(source, QStringLiteral("\"%1\" must be greater than %2 (got %3)").arg(name, number(d->min), number(v)));
            if (v > d->max)
                return bad(source, QStringLiteral("\"%1\" must be at most %2 (got %3)").arg(name, number(d->max), number(v)));
        }
    }
    if (bulkBatchRows > bulkMaxBatchRows)
        return bad(source, QStringLiteral("\"bulkBatchRows\" (%1) must not exceed \"bulkMaxBatchRows\" (%2)")
                               .arg(bulkBatchRows).arg(bulkMaxBatchRows));
    for (qsizetype i = 0; i < qsizetype(rowCosts.size()); ++i) {
        const RowCost &c = rowCosts[size_t(i)];
        if (c.object.trimmed().isEmpty())
            return bad(source, QStringLiteral("\"rowCosts\"[%1] has no \"object\"").arg(i));
        if (!std::isfinite(c.seconds) || c.seconds <= 0)
            return bad(source, QStringLiteral("\"rowCosts\"[%1].seconds must be a positive number (got %2)").arg(i).arg(number(c.seconds)));
    }
    return {};
}

QJsonObject OrgProfile::toJson() const
{
    QJsonObject json;
    for (const auto &f : fields()) {
        const QString name = QString::fromLatin1(f.name);
        if (const auto *i = std::get_if<IntField>(&f.spec))
            json.insert(name, this->*(i->member));
        else if (const auto *d = std::get_if<DoubleField>(&f.spec))
            json.insert(name, this->*(d->member));
        else if (const auto *b = std::get_if<BoolField>(&f.spec))
            json.insert(name, this->*(b->member));
    }
    QJsonArray costs;
    for (const auto &c : rowCosts)
        costs.append(QJsonObject{{QStringLiteral("object"), c.object},
                                 {QStringLiteral("operation"), operationName(c.operation)},
                                 {QStringLiteral("seconds"), c.seconds}});
    json.insert(QLatin1String(kRowCosts), costs);
    json.insert(QLatin1String(kDuplicateRuleObjects), QJsonArray::fromStringList(duplicateRuleObjects));
    return json;
}

Result<OrgProfile> OrgProfile::fromJson(const QJsonObject &json, const QString &source)
{
    OrgProfile p;
    QStringList known{QLatin1String(kRowCosts), QLatin1String(kDuplicateRuleObjects)};
    for (const auto &f : fields()) {
        const QString name = QString::fromLatin1(f.name);
        known << name;
        const QJsonValue v = json.value(name);
        if (v.isUndefined())
            return bad(source, QStringLiteral("missing field \"%1\"").arg(name));
        if (const auto *i = std::get_if<IntField>(&f.spec)) {
            const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
            if (!v.isDouble() || d != std::floor(d) || std::abs(d) > 2e9)
                return bad(source, QStringLiteral("\"%1\" must be a whole number").arg(name));
            p.*(i->member) = int(d);
        } else if (const auto *dbl = std::get_if<DoubleField>(&f.spec)) {
            if (!v.isDouble())
                return bad(source, QStringLiteral("\"%1\" must be a number").arg(name));
            p.*(dbl->member) = v.toDouble();
        } else if (const auto *b = std::get_if<BoolField>(&f.spec)) {
            if (!v.isBool())
                return bad(source, QStringLiteral("\"%1\" must be true or false").arg(name));
            p.*(b->member) = v.toBool();
        }
    }
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!known.contains(it.key()))
            return bad(source, QStringLiteral("unknown field \"%1\"").arg(it.key()));

    const QJsonValue costs = json.value(QLatin1String(kRowCosts));
    if (costs.isUndefined())
        return bad(source, QStringLiteral("missing field \"rowCosts\" (use [] for none)"));
    if (!costs.isArray())
        return bad(source, QStringLiteral("\"rowCosts\" must be an array of {object, operation, seconds}"));
    p.rowCosts.clear();
    int index = 0;
    for (const auto &value : costs.toArray()) {
        const QJsonObject o = value.toObject();
        const auto op = parseOperation(o.value(QStringLiteral("operation")).toString());
        if (!value.isObject() || !op)
            return bad(source, QStringLiteral("\"rowCosts\"[%1] needs \"object\", \"operation\" (insert, update, upsert, "
                                              "delete) and \"seconds\"").arg(index));
        if (!o.value(QStringLiteral("seconds")).isDouble())
            return bad(source, QStringLiteral("\"rowCosts\"[%1].seconds must be a number").arg(index));
        p.rowCosts.push_back({o.value(QStringLiteral("object")).toString(), *op, o.value(QStringLiteral("seconds")).toDouble()});
        ++index;
    }
    const QJsonValue objects = json.value(QLatin1String(kDuplicateRuleObjects));
    if (objects.isUndefined())
        return bad(source, QStringLiteral("missing field \"duplicateRuleObjects\" (use [] for none)"));
    if (!objects.isArray())
        return bad(source, QStringLiteral("\"duplicateRuleObjects\" must be an array of object names"));
    p.duplicateRuleObjects.clear();
    for (const auto &value : objects.toArray()) {
        if (!value.isString())
            return bad(source, QStringLiteral("\"duplicateRuleObjects\" must hold object names (strings)"));
        p.duplicateRuleObjects << value.toString();
    }
    if (auto ok = p.validate(source); !ok)
        return std::unexpected(ok.error());
    return p;
}

Result<OrgProfile> OrgProfile::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return fail(ErrorKind::NotFound, QStringLiteral("no such org profile"), path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorKind::Io, QStringLiteral("cannot read the org profile: %1").arg(file.errorString()), path);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(ErrorKind::BadData,
                    QStringLiteral("org profile: not valid JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset),
                    path);
    if (!doc.isObject())
        return fail(ErrorKind::BadData, QStringLiteral("org profile: expected a JSON object"), path);
    return fromJson(doc.object(), path);
}

Result<void> OrgProfile::save(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorKind::Io, QStringLiteral("cannot write the org profile: %1").arg(file.errorString()), path);
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return fail(ErrorKind::Io, QStringLiteral("cannot write the org profile: %1").arg(file.errorString()), path);
    return {};
}

} // namespace lockstep
