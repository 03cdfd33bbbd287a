#include "org/CollectionResults.h"

#include <cstdint>

namespace lockstep {
namespace {

class Reader {
public:
    explicit Reader(std::string_view text) : m_text(text) {}

    bool atEnd()
    {
        skipSpace();
        return m_pos >= m_text.size();
    }
    bool take(char c)
    {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool peek(char c)
    {
        skipSpace();
        return m_pos < m_text.size() && m_text[m_pos] == c;
    }
    bool literal(std::string_view word)
    {
        skipSpace();
        if (m_text.substr(m_pos, word.size()) != word)
            return false;
        m_pos += word.size();
        return true;
    }
    std::optional<bool> boolean()
    {
        if (literal("true"))
            return true;
        if (literal("false"))
            return false;
        return std::nullopt;
    }
    // A JSON string as UTF-16 (QString); escapes undone.
    std::optional<QString> string()
    {
        if (!take('"'))
            return std::nullopt;
        const size_t begin = m_pos;
        bool escaped = false;
        for (; m_pos < m_text.size() && m_text[m_pos] != '"'; ++m_pos) {
            if (m_text[m_pos] == '\\') {
                escaped = true;
                ++m_pos;
            } else if (static_cast<unsigned char>(m_text[m_pos]) < 0x20) {
                return std::nullopt;
            }
        }
        if (m_pos >= m_text.size())
            return std::nullopt;
        const std::string_view raw = m_text.substr(begin, m_pos - begin);
        ++m_pos;
        if (!escaped)
            return QString::fromUtf8(raw.data(), qsizetype(raw.size()));
        return unescaped(raw);
    }
    std::optional<QString> stringOrNull()
    {
        if (literal("null"))
            return QString();
        return string();
    }
    // Any value, not kept.
    bool skipValue(int depth = 0)
    {
        if (depth > 64)
            return false;
        skipSpace();
        if (m_pos >= m_text.size())
            return false;
        const char c = m_text[m_pos];
        if (c == '"')
            return string().has_value();
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            ++m_pos;
            if (take(close))
                return true;
            do {
                if (c == '{' && (!string() || !take(':')))
                    return false;
                if (!skipValue(depth + 1))
                    return false;
            } while (take(','));
            return take(close);
        }
        if (literal("true") || literal("false") || literal("null"))
            return true;
        const size_t begin = m_pos;
        while (m_pos < m_text.size() && std::string_view("+-0123456789.eE").find(m_text[m_pos]) != std::string_view::npos)
            ++m_pos;
        return m_pos > begin;
    }

private:
    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\r' || m_text[m_pos] == '\t'))
            ++m_pos;
    }
    static int hex(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }
    static std::optional<QString> unescaped(std::string_view raw)
    {
        std::string utf8;
        QString out;
        auto flush = [&] {
            out += QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
            utf8.clear();
        };
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '\\') {
                utf8 += raw[i];
                continue;
            }
            if (++i >= raw.size())
                return std::nullopt;
            switch (raw[i]) {
            case '"': utf8 += '"'; break;
            case '\\': utf8 += '\\'; break;
            case '/': utf8 += '/'; break;
            case 'b': utf8 += '\b'; break;
            case 'f': utf8 += '\f'; break;
            case 'n': utf8 += '\n'; break;
            case 'r': utf8 += '\r'; break;
            case 't': utf8 += '\t'; break;
            case 'u': {
                if (i + 4 >= raw.size())
                    return std::nullopt;
                std::uint32_t unit = 0;
                for (size_t k = 1; k <= 4; ++k) {
                    const int h = hex(raw[i + k]);
                    if (h < 0)
                        return std::nullopt;
                    unit = unit * 16 + std::uint32_t(h);
                }
                i += 4;
                flush();
                out += QChar(char16_t(unit));   // a surrogate pair arrives as two escapes, in order
                break;
            }
            default: return std::nullopt;
            }
        }
        flush();
        return out;
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

// `[item, item, …]` (or null), each item read by `item()`.
template <class F>
bool readArray(Reader &in, F &&item)
{
    if (in.literal("null"))
        return true;
    if (!in.take('['))
        return false;
    if (in.take(']'))
        return true;
    do {
        if (!item())
            return false;
    } while (in.take(','));
    return in.take(']');
}

// `{"key": value, …}`, each member's value read by `member(key)`.
template <class F>
bool readObject(Reader &in, F &&member)
{
    if (!in.take('{'))
        return false;
    if (in.take('}'))
        return true;
    do {
        const auto key = in.string();
        if (!key || !in.take(':') || !member(*key))
            return false;
    } while (in.take(','));
    return in.take('}');
}

std::optional<RecordError> readError(Reader &in)
{
    RecordError error;
    const bool read = readObject(in, [&](const QString &key) {
        if (key == QLatin1String("statusCode") || key == QLatin1String("message")) {
            auto text = in.stringOrNull();
            if (text)
                (key == QLatin1String("statusCode") ? error.statusCode : error.message) = std::move(*text);
            return text.has_value();
        }
        if (key == QLatin1String("fields"))
            return readArray(in, [&] {
                auto field = in.string();
                if (field)
                    error.fields << *field;
                return field.has_value();
            });
        return in.skipValue();
    });
    if (!read)
        return std::nullopt;
    return error;
}

std::optional<RecordResult> readResult(Reader &in, Operation operation)
{
    RecordResult result;
    std::optional<bool> created;
    const bool read = readObject(in, [&](const QString &key) {
        if (key == QLatin1String("id")) {
            auto id = in.stringOrNull();
            if (id)
                result.id = std::move(*id);
            return id.has_value();
        }
        if (key == QLatin1String("success") || key == QLatin1String("created")) {
            const auto value = in.boolean();
            if (value)
                (key == QLatin1String("success") ? result.success : created.emplace()) = *value;
            return value.has_value();
        }
        if (key == QLatin1String("errors"))
            return readArray(in, [&] {
                auto error = readError(in);
                if (error)
                    result.errors.push_back(std::move(*error));
                return error.has_value();
            });
        return in.skipValue();
    });
    if (!read)
        return std::nullopt;
    result.created = created.value_or(operation == Operation::Insert && result.success);
    return result;
}

} // namespace

std::optional<std::vector<RecordResult>> parseCollectionResults(std::string_view json, Operation operation)
{
    Reader in(json);
    std::vector<RecordResult> out;
    const bool read = in.peek('[') && readArray(in, [&] {
        auto result = readResult(in, operation);
        if (result)
            out.push_back(std::move(*result));
        return result.has_value();
    });
    if (!read || !in.atEnd())
        return std::nullopt;
    return out;
}

} // namespace lockstep
