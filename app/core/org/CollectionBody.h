#pragma once

#include "locks/Operation.h"

#include <QByteArray>
#include <QString>

#include <string_view>

namespace lockstep {

// The records of one sObject Collections write, written as the JSON the org takes while the
// caller reads them from its file (salesforce-api.md §3):
//   {"allOrNone":false,"records":[{"attributes":{"type":"Opportunity"},"Id":"006…","StageName":"…"},…]}
// and for a delete, the Ids the URL carries. Values go as JSON strings, as Data Loader sends a
// CSV's cells. Written straight to bytes because a 200-row request built as QJsonObjects and
// serialized cost the runner more than a millisecond of allocations (tests/bench/runner).
class CollectionBody {
public:
    CollectionBody(Operation operation, const QString &object, bool allOrNone = false);

    void beginRecord();
    // One field of the current record; `name` and `value` are UTF-8. A value that is not valid
    // UTF-8 goes with U+FFFD in place of the bad bytes, never as bytes the org cannot read.
    void field(std::string_view name, std::string_view value);
    // A field whose value is already JSON (a number, true/false, null).
    void rawField(std::string_view name, std::string_view json);
    void endRecord();
    // Delete: one record by Id.
    void addId(std::string_view id);

    Operation operation() const { return m_operation; }
    bool allOrNone() const { return m_allOrNone; }
    int size() const { return m_count; }
    // The request body (writes) — valid JSON once every record has ended.
    QByteArray json() const;
    // The Ids, comma-separated (delete).
    const QByteArray &ids() const { return m_ids; }

private:
    void appendString(std::string_view text);

    Operation m_operation;
    bool m_allOrNone;
    QByteArray m_recordHead;   // {"attributes":{"type":"…"}
    QByteArray m_body;
    QByteArray m_ids;
    int m_count = 0;
};

} // namespace lockstep
