#include "demoorg/FieldValue.h"

#include "load/SalesforceId.h"

#include <QDate>
#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

namespace lockstep::demoorg::FieldValue {

namespace {

QString typeError(const FieldDef &field, const QString &shown)
{
    return QStringLiteral("%1: value not of required type: %2").arg(field.label, shown);
}

std::expected<QVariant, QString> parseDate(const FieldDef &field, const QString &text)
{
    const QDate d = QDate::fromString(text.left(10), Qt::ISODate);
    if (!d.isValid())
        return std::unexpected(typeError(field, text));
    return d.toString(Qt::ISODate);
}

std::expected<QVariant, QString> parseDateTime(const FieldDef &field, const QString &text)
{
    QDateTime dt = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!dt.isValid()) {
        // Salesforce writes "+0000" without a colon, which ISO parsing in Qt rejects.
        QString fixed = text;
        if (fixed.size() > 5 && (fixed[fixed.size() - 5] == QLatin1Char('+') || fixed[fixed.size() - 5] == QLatin1Char('-')))
            fixed.insert(fixed.size() - 2, QLatin1Char(':'));
        dt = QDateTime::fromString(fixed, Qt::ISODateWithMs);
    }
    if (!dt.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (d.isValid())
            dt = d.startOfDay(Qt::UTC);
    }
    if (!dt.isValid())
        return std::unexpected(typeError(field, text));
    return dt.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz+0000"));
}

} // namespace

QString canonicalId(const QString &text)
{
    const QByteArray latin = text.toLatin1();
    std::array<char, 15> canonical{};
    if (SalesforceId::validate(std::string_view(latin.constData(), size_t(latin.size())), &canonical) != SalesforceId::Check::Ok)
        return {};
    return SalesforceId::to18(std::string_view(canonical.data(), canonical.size()));
}

QString nowTimestamp()
{
    return timestamp(QDateTime::currentDateTimeUtc());
}

QString timestamp(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz+0000"));
}

std::expected<QVariant, QString> fromText(const FieldDef &field, const QString &text)
{
    switch (field.type) {
    case FieldType::Double:
    case FieldType::Currency: {
        bool ok = false;
        const double v = text.trimmed().toDouble(&ok);
        if (!ok)
            return std::unexpected(typeError(field, text));
        return v;
    }
    case FieldType::Int: {
        bool ok = false;
        const qint64 v = text.trimmed().toLongLong(&ok);
        if (!ok)
            return std::unexpected(typeError(field, text));
        return v;
    }
    case FieldType::Boolean: {
        const QString t = text.trimmed().toLower();
        if (t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes"))
            return true;
        if (t == QLatin1String("false") || t == QLatin1String("0") || t == QLatin1String("no"))
            return false;
        return std::unexpected(typeError(field, text));
    }
    case FieldType::Date: return parseDate(field, text.trimmed());
    case FieldType::DateTime: return parseDateTime(field, text.trimmed());
    case FieldType::Id:
    case FieldType::Reference: {
        const QString id = canonicalId(text.trimmed());
        if (id.isEmpty())
            return std::unexpected(QStringLiteral("%1: id value of incorrect type: %2").arg(field.label, text));
        return id;
    }
    default:
        if (field.length > 0 && text.size() > field.length)
            return std::unexpected(QStringLiteral("%1: data value too large: %2 (max length=%3)").arg(field.label, text.left(40)).arg(field.length));
        return text;
    }
}

std::expected<QVariant, QString> fromJson(const FieldDef &field, const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return QVariant();
    switch (field.type) {
    case FieldType::Double:
    case FieldType::Currency:
    case FieldType::Int:
        if (value.isDouble())
            return field.type == FieldType::Int ? QVariant(qint64(value.toDouble())) : QVariant(value.toDouble());
        if (value.isString())
            return fromText(field, value.toString());
        return std::unexpected(typeError(field, QString::fromUtf8(QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact))));
    case FieldType::Boolean:
        if (value.isBool())
            return value.toBool();
        if (value.isString())
            return fromText(field, value.toString());
        return std::unexpected(typeError(field, value.toVariant().toString()));
    default:
        if (value.isString())
            return fromText(field, value.toString());
        if (value.isDouble() || value.isBool())
            return fromText(field, value.toVariant().toString());
        return std::unexpected(typeError(field, QStringLiteral("(object)")));
    }
}

QJsonValue toJson(const FieldDef &field, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue::Null;
    switch (field.type) {
    case FieldType::Double:
    case FieldType::Currency: return value.toDouble();
    case FieldType::Int: return value.toLongLong();
    case FieldType::Boolean: return value.toBool();
    default: return value.toString();
    }
}

QString toText(const FieldDef &field, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return {};
    switch (field.type) {
    case FieldType::Double:
    case FieldType::Currency: return QString::number(value.toDouble(), 'g', 15);
    case FieldType::Int: return QString::number(value.toLongLong());
    case FieldType::Boolean: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    default: return value.toString();
    }
}

} // namespace lockstep::demoorg::FieldValue
