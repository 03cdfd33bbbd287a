#include "org/CollectionBody.h"

#include "load/Utf8.h"

namespace lockstep {

CollectionBody::CollectionBody(Operation operation, const QString &object, bool allOrNone)
    : m_operation(operation), m_allOrNone(allOrNone)
{
    // Every record starts the same way: written once, escaped by the one writer.
    m_body = "{\"attributes\":{\"type\":";
    const QByteArray type = object.toUtf8();
    appendString(std::string_view(type.constData(), size_t(type.size())));
    m_recordHead = m_body + '}';
    m_body.clear();
    m_body.reserve(32 * 1024);
}

void CollectionBody::appendString(std::string_view text)
{
    if (firstInvalidUtf8(text) != std::string_view::npos) {
        const QByteArray clean = QString::fromUtf8(text.data(), qsizetype(text.size())).toUtf8();
        appendString(std::string_view(clean.constData(), size_t(clean.size())));
        return;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    m_body += '"';
    size_t plain = 0;   // start of the run of bytes that need no escape
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        m_body.append(text.data() + plain, qsizetype(i - plain));
        plain = i + 1;
        switch (c) {
        case '"': m_body += "\\\""; break;
        case '\\': m_body += "\\\\"; break;
        case '\n': m_body += "\\n"; break;
        case '\r': m_body += "\\r"; break;
        case '\t': m_body += "\\t"; break;
        default: {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            m_body.append(escaped, 6);
        }
        }
    }
    m_body.append(text.data() + plain, qsizetype(text.size() - plain));
    m_body += '"';
}

void CollectionBody::beginRecord()
{
    if (m_count > 0)
        m_body += ',';
    m_body += m_recordHead;
}

void CollectionBody::field(std::string_view name, std::string_view value)
{
    m_body += ',';
    appendString(name);
    m_body += ':';
    appendString(value);
}

void CollectionBody::rawField(std::string_view name, std::string_view json)
{
    m_body += ',';
    appendString(name);
    m_body += ':';
    m_body.append(json.data(), qsizetype(json.size()));
}

void CollectionBody::endRecord()
{
    m_body += '}';
    ++m_count;
}

void CollectionBody::addId(std::string_view id)
{
    if (!m_ids.isEmpty())
        m_ids += ',';
    // An Id is letters and digits; a cell that is not still goes as the URL needs it.
    m_ids += QByteArray(id.data(), qsizetype(id.size())).toPercentEncoding();
    ++m_count;
}

QByteArray CollectionBody::json() const
{
    return QByteArray(m_allOrNone ? "{\"allOrNone\":true,\"records\":[" : "{\"allOrNone\":false,\"records\":[") + m_body + "]}";
}

} // namespace lockstep
