#include "demoorg/Soql.h"

namespace lockstep::demoorg {

namespace {

struct Token {
    enum class Kind { Word, String, Number, Symbol, End } kind = Kind::End;
    QString text;
    int column = 1;   // 1-based
};

std::expected<std::vector<Token>, SoqlError> tokenize(const QString &s)
{
    std::vector<Token> tokens;
    qsizetype i = 0;
    const qsizetype n = s.size();
    while (i < n) {
        const QChar c = s[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token t;
        t.column = int(i) + 1;
        if (c == QLatin1Char('\'')) {
            QString value;
            ++i;
            bool closed = false;
            while (i < n) {
                if (s[i] == QLatin1Char('\\') && i + 1 < n) {
                    const QChar e = s[i + 1];
                    value += e == QLatin1Char('n') ? QLatin1Char('\n') : e == QLatin1Char('t') ? QLatin1Char('\t') : e;
                    i += 2;
                    continue;
                }
                if (s[i] == QLatin1Char('\'')) {
                    closed = true;
                    ++i;
                    break;
                }
                value += s[i++];
            }
            if (!closed)
                return std::unexpected(SoqlError{t.column, QStringLiteral("line 1:%1 mismatched character '<EOF>' expecting '''").arg(n)});
            t.kind = Token::Kind::String;
            t.text = value;
        } else if (c.isDigit() || ((c == QLatin1Char('-') || c == QLatin1Char('.')) && i + 1 < n && s[i + 1].isDigit())) {
            qsizetype j = i + 1;
            while (j < n && (s[j].isDigit() || s[j] == QLatin1Char('.') || s[j] == QLatin1Char('-') || s[j] == QLatin1Char(':') ||
                             s[j] == QLatin1Char('T') || s[j] == QLatin1Char('Z') || s[j] == QLatin1Char('+')))
                ++j;
            t.kind = Token::Kind::Number;
            t.text = s.mid(i, j - i);
            i = j;
        } else if (c.isLetter() || c == QLatin1Char('_')) {
            qsizetype j = i + 1;
            while (j < n && (s[j].isLetterOrNumber() || s[j] == QLatin1Char('_') || s[j] == QLatin1Char('.')))
                ++j;
            t.kind = Token::Kind::Word;
            t.text = s.mid(i, j - i);
            i = j;
        } else {
            static const QStringList two{QStringLiteral("!="), QStringLiteral("<>"), QStringLiteral("<="), QStringLiteral(">=")};
            const QString pair = s.mid(i, 2);
            t.kind = Token::Kind::Symbol;
            if (two.contains(pair)) {
                t.text = pair;
                i += 2;
            } else if (QStringLiteral("=<>(),").contains(c)) {
                t.text = c;
                ++i;
            } else {
                return std::unexpected(SoqlError{t.column, QStringLiteral("line 1:%1 no viable alternative at character '%2'").arg(i).arg(c)});
            }
        }
        tokens.push_back(t);
    }
    tokens.push_back(Token{Token::Kind::End, {}, int(n) + 1});
    return tokens;
}

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : m_t(std::move(tokens)) {}

    std::expected<SoqlQuery, SoqlError> query()
    {
        SoqlQuery q;
        if (!keyword("SELECT"))
            return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
        // COUNT() alone is the count form; COUNT(field) is an aggregate we do not support.
        if (isKeyword(peek(), "COUNT") && at(1).text == QLatin1String("(") && at(2).text == QLatin1String(")")) {
            m_i += 3;
            q.countOnly = true;
        } else {
            for (;;) {
                const Token &f = peek();
                if (f.kind != Token::Kind::Word || isKeyword(f, "FROM"))
                    return error(QStringLiteral("unexpected token: '%1'").arg(f.text.isEmpty() ? QStringLiteral("<EOF>") : f.text));
                if (at(1).text == QLatin1String("("))
                    return std::unexpected(SoqlError{f.column, QStringLiteral("Aggregate and function calls other than COUNT() are not supported by the demo org: %1").arg(f.text)});
                q.fields << f.text;
                q.fieldColumns.push_back(f.column);
                ++m_i;
                if (peek().text != QLatin1String(","))
                    break;
                ++m_i;
            }
        }
        if (!keyword("FROM"))
            return error(QStringLiteral("unexpected token: '%1'").arg(peek().text.isEmpty() ? QStringLiteral("<EOF>") : peek().text));
        if (peek().kind != Token::Kind::Word)
            return error(QStringLiteral("unexpected token: '%1'").arg(peek().text.isEmpty() ? QStringLiteral("<EOF>") : peek().text));
        q.object = peek().text;
        q.objectColumn = peek().column;
        ++m_i;
        if (keyword("WHERE")) {
            auto c = orExpr();
            if (!c)
                return std::unexpected(c.error());
            q.where = std::move(*c);
        }
        if (keyword("ORDER")) {
            if (!keyword("BY"))
                return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
            for (;;) {
                if (peek().kind != Token::Kind::Word)
                    return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
                SoqlOrder o;
                o.field = peek().text;
                ++m_i;
                if (keyword("DESC"))
                    o.descending = true;
                else
                    keyword("ASC");
                if (keyword("NULLS")) {
                    if (keyword("FIRST"))
                        o.nullsFirst = true;
                    else if (keyword("LAST"))
                        o.nullsFirst = false;
                    else
                        return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
                }
                q.orderBy.push_back(o);
                if (peek().text != QLatin1String(","))
                    break;
                ++m_i;
            }
        }
        for (int round = 0; round < 2; ++round) {
            if (keyword("LIMIT")) {
                bool ok = false;
                q.limit = peek().text.toLongLong(&ok);
                if (peek().kind != Token::Kind::Number || !ok || *q.limit < 0)
                    return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
                ++m_i;
            }
            if (keyword("OFFSET")) {
                bool ok = false;
                q.offset = peek().text.toLongLong(&ok);
                if (peek().kind != Token::Kind::Number || !ok || *q.offset < 0)
                    return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
                ++m_i;
            }
        }
        if (peek().kind != Token::Kind::End)
            return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
        return q;
    }

private:
    static bool isKeyword(const Token &t, const char *word)
    {
        return t.kind == Token::Kind::Word && t.text.compare(QLatin1String(word), Qt::CaseInsensitive) == 0;
    }
    const Token &peek() const { return m_t[m_i]; }
    const Token &at(size_t ahead) const { return m_t[std::min(m_i + ahead, m_t.size() - 1)]; }
    bool keyword(const char *word)
    {
        if (!isKeyword(peek(), word))
            return false;
        ++m_i;
        return true;
    }
    std::unexpected<SoqlError> error(const QString &message) const { return std::unexpected(SoqlError{peek().column, message}); }

    std::expected<SoqlCondition, SoqlError> orExpr()
    {
        auto first = andExpr();
        if (!first)
            return first;
        if (!isKeyword(peek(), "OR"))
            return first;
        SoqlCondition c;
        c.kind = SoqlCondition::Kind::Or;
        c.children.push_back(std::move(*first));
        while (keyword("OR")) {
            auto next = andExpr();
            if (!next)
                return next;
            c.children.push_back(std::move(*next));
        }
        return c;
    }

    std::expected<SoqlCondition, SoqlError> andExpr()
    {
        auto first = notExpr();
        if (!first)
            return first;
        if (!isKeyword(peek(), "AND"))
            return first;
        SoqlCondition c;
        c.kind = SoqlCondition::Kind::And;
        c.children.push_back(std::move(*first));
        while (keyword("AND")) {
            auto next = notExpr();
            if (!next)
                return next;
            c.children.push_back(std::move(*next));
        }
        return c;
    }

    std::expected<SoqlCondition, SoqlError> notExpr()
    {
        // Nesting is recursion: a query of a thousand "(" must fail, not overflow the stack.
        if (++m_depth > kMaxDepth)
            return error(QStringLiteral("expression nested deeper than %1 levels").arg(kMaxDepth));
        auto result = notExprInner();
        --m_depth;
        return result;
    }

    std::expected<SoqlCondition, SoqlError> notExprInner()
    {
        if (keyword("NOT")) {
            auto inner = notExpr();
            if (!inner)
                return inner;
            SoqlCondition c;
            c.kind = SoqlCondition::Kind::Not;
            c.children.push_back(std::move(*inner));
            return c;
        }
        if (peek().text == QLatin1String("(")) {
            ++m_i;
            auto inner = orExpr();
            if (!inner)
                return inner;
            if (peek().text != QLatin1String(")"))
                return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
            ++m_i;
            return inner;
        }
        return comparison();
    }

    std::expected<SoqlValue, SoqlError> value()
    {
        const Token t = peek();
        SoqlValue v;
        if (t.kind == Token::Kind::String) {
            v.kind = SoqlValue::Kind::String;
            v.text = t.text;
        } else if (t.kind == Token::Kind::Number) {
            bool ok = false;
            v.number = t.text.toDouble(&ok);
            if (ok) {
                v.kind = SoqlValue::Kind::Number;
            } else {
                v.kind = SoqlValue::Kind::Date;   // 2024-01-31 or 2024-01-31T00:00:00Z
            }
            v.text = t.text;
        } else if (isKeyword(t, "TRUE") || isKeyword(t, "FALSE")) {
            v.kind = SoqlValue::Kind::Boolean;
            v.boolean = isKeyword(t, "TRUE");
        } else if (isKeyword(t, "NULL")) {
            v.kind = SoqlValue::Kind::Null;
        } else {
            return error(QStringLiteral("unexpected token: '%1'").arg(t.text.isEmpty() ? QStringLiteral("<EOF>") : t.text));
        }
        ++m_i;
        return v;
    }

    std::expected<SoqlCondition, SoqlError> comparison()
    {
        const Token f = peek();
        if (f.kind != Token::Kind::Word)
            return error(QStringLiteral("unexpected token: '%1'").arg(f.text.isEmpty() ? QStringLiteral("<EOF>") : f.text));
        ++m_i;
        SoqlCondition c;
        c.field = f.text;
        c.fieldColumn = f.column;
        bool notIn = false;
        if (isKeyword(peek(), "NOT") && isKeyword(at(1), "IN")) {
            notIn = true;
            ++m_i;
        }
        if (keyword("IN")) {
            c.kind = SoqlCondition::Kind::In;
            c.negated = notIn;
            if (peek().text != QLatin1String("("))
                return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
            ++m_i;
            for (;;) {
                auto v = value();
                if (!v)
                    return std::unexpected(v.error());
                c.values.push_back(*v);
                if (peek().text == QLatin1String(",")) {
                    ++m_i;
                    continue;
                }
                if (peek().text == QLatin1String(")")) {
                    ++m_i;
                    break;
                }
                return error(QStringLiteral("unexpected token: '%1'").arg(peek().text));
            }
            return c;
        }
        c.kind = SoqlCondition::Kind::Compare;
        if (keyword("LIKE")) {
            c.op = QStringLiteral("LIKE");
        } else if (peek().kind == Token::Kind::Symbol && QStringList{QStringLiteral("="), QStringLiteral("!="), QStringLiteral("<>"), QStringLiteral("<"),
                                                                      QStringLiteral("<="), QStringLiteral(">"), QStringLiteral(">=")}
                                                             .contains(peek().text)) {
            c.op = peek().text == QLatin1String("<>") ? QStringLiteral("!=") : peek().text;
            ++m_i;
        } else {
            return error(QStringLiteral("unexpected token: '%1'").arg(peek().text.isEmpty() ? QStringLiteral("<EOF>") : peek().text));
        }
        auto v = value();
        if (!v)
            return std::unexpected(v.error());
        c.values.push_back(*v);
        return c;
    }

    static constexpr int kMaxDepth = 64;
    std::vector<Token> m_t;
    size_t m_i = 0;
    int m_depth = 0;
};

} // namespace

std::expected<SoqlQuery, SoqlError> parseSoql(const QString &text)
{
    auto tokens = tokenize(text);
    if (!tokens)
        return std::unexpected(tokens.error());
    return Parser(std::move(*tokens)).query();
}

} // namespace lockstep::demoorg
