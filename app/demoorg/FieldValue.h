#pragma once

#include "demoorg/Schema.h"

#include <QDateTime>
#include <QJsonValue>
#include <QVariant>

#include <expected>

namespace lockstep::demoorg {

// Converting field values between the wire (JSON for REST, CSV text for Bulk) and storage
// (QVariant: QString, double, qint64, bool; invalid = null). A failure carries Salesforce's
// message for the row ("Amount: value not of required type: abc").
namespace FieldValue {

std::expected<QVariant, QString> fromJson(const FieldDef &field, const QJsonValue &value);
// Bulk CSV: an empty cell leaves the field unchanged, "#N/A" sets it to null (Bulk API rules);
// the caller handles both before calling this.
std::expected<QVariant, QString> fromText(const FieldDef &field, const QString &text);
QJsonValue toJson(const FieldDef &field, const QVariant &value);
QString toText(const FieldDef &field, const QVariant &value);

// An Id as stored: 18 characters with the right checksum; 15-character input is extended.
// Returns an empty string for something that is not an Id.
QString canonicalId(const QString &text);

QString nowTimestamp();   // "2024-05-01T12:00:00.000+0000", Salesforce's datetime form
QString timestamp(const QDateTime &t);   // the same form, of any moment

} // namespace FieldValue

} // namespace lockstep::demoorg
