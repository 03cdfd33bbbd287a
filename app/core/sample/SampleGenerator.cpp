#include "sample/SampleGenerator.h"

#include "common/Random.h"
#include "load/SalesforceId.h"

#include <QDate>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace lockstep {

Result<SkewSpec> SkewSpec::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    SkewSpec spec;
    if (t == QLatin1String("uniform") || t == QLatin1String("none")) {
        spec.kind = Kind::Uniform;
        spec.exponent = 0;
        return spec;
    }
    static const QRegularExpression re(QStringLiteral("^zipf(?::([0-9]*\\.?[0-9]+))?$"));
    const auto m = re.match(t);
    if (!m.hasMatch())
        return fail(ErrorKind::Usage,
                    QStringLiteral("unknown skew '%1': use uniform, zipf or zipf:S (S between 0 and 5, e.g. zipf:0.6)").arg(text));
    spec.kind = Kind::Zipf;
    spec.exponent = m.captured(1).isEmpty() ? 1.0 : m.captured(1).toDouble();
    if (spec.exponent < 0 || spec.exponent > 5)
        return fail(ErrorKind::Usage, QStringLiteral("zipf exponent must be between 0 and 5 (got %1)").arg(spec.exponent));
    return spec;
}

QString SkewSpec::toString() const
{
    return kind == Kind::Uniform ? QStringLiteral("uniform") : QStringLiteral("zipf:%1").arg(exponent);
}

namespace SampleIds {

namespace {
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kSpace = 13537086546263552ULL;   // 62^9 distinct record numbers
constexpr std::uint64_t kStride = 2654435761ULL;         // prime, so coprime with 62^9 = 2^9 * 31^9

// Writes an 18-character Id into out[0..18).
void makeInto(char *out, const char *prefix, std::uint64_t index, std::uint64_t seed)
{
    out[0] = prefix[0];
    out[1] = prefix[1];
    out[2] = prefix[2];
    // Pod and reserved character, like real Ids ("0065g00000...").
    out[3] = '5';
    out[4] = kBase62[10 + (seed % 26)];
    out[5] = '0';
    std::uint64_t n = (seed * 0x9E3779B97F4A7C15ULL % kSpace + (index % kSpace) * kStride) % kSpace;
    for (int i = 14; i >= 6; --i) {
        out[i] = kBase62[n % 62];
        n /= 62;
    }
    const auto suffix = SalesforceId::checksumSuffix(std::string_view(out, 15));
    out[15] = suffix[0];
    out[16] = suffix[1];
    out[17] = suffix[2];
}
} // namespace

QString make(const QString &keyPrefix, std::uint64_t index, std::uint64_t seed)
{
    char buffer[18];
    const QByteArray p = keyPrefix.toLatin1().leftJustified(3, '0', true);
    makeInto(buffer, p.constData(), index, seed);
    return QString::fromLatin1(buffer, 18);
}

QString parentPrefix(const QString &object)
{
    if (object.endsWith(QLatin1String("__c"), Qt::CaseInsensitive))
        return QStringLiteral("a0A");
    if (object.compare(QLatin1String("Account"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("005");   // an Account's "parent" here is its owner
    return QStringLiteral("001");
}

QString childPrefix(const QString &object)
{
    if (object.endsWith(QLatin1String("__c"), Qt::CaseInsensitive))
        return QStringLiteral("a0B");
    const QString p = KeyPrefixes::prefixFor(object);
    return p.isEmpty() ? QStringLiteral("a0B") : p;
}

} // namespace SampleIds

namespace {

enum class Shape { Opportunity, Contact, Case, Task, Event, Account, Custom };

Shape shapeOf(const QString &object)
{
    const QString o = object.toLower();
    if (o == QLatin1String("opportunity")) return Shape::Opportunity;
    if (o == QLatin1String("contact")) return Shape::Contact;
    if (o == QLatin1String("case")) return Shape::Case;
    if (o == QLatin1String("task")) return Shape::Task;
    if (o == QLatin1String("event")) return Shape::Event;
    if (o == QLatin1String("account")) return Shape::Account;
    return Shape::Custom;
}

// CSV-escapes a value for the delimiter.
std::string escape(const std::string &value, char delimiter)
{
    if (value.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string::npos)
        return value;
    std::string out = "\"";
    for (char c : value) {
        out += c;
        if (c == '"')
            out += '"';
    }
    return out + "\"";
}

// Text pools, escaped once; rows pick from them.
struct Pools {
    std::vector<std::string> companies, dealNames, subjects, firstNames, lastNames, dates, dateTimes;

    Pools(Random &random, char delimiter)
    {
        const char *companyWords[] = {"Acme", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises",
                                      "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay Industries",
                                      "Société Générale de Test", "Müller & Söhne", "Nakatomi Trading", "Østergaard",
                                      "Pied Piper", "Dunder Mifflin", "Oscorp", "Blue Sun", "Massive Dynamic",
                                      "Gringotts", "Monarch Solutions", "Zorg Industries", "東京商事"};
        const char *suffixes[] = {"Corp", "Inc.", ", Inc.", "GmbH", "Ltd", "S.A.", "LLC", "Group", "Holdings", "AG"};
        const char *products[] = {"Renewal", "Upsell", "New Business", "Expansion", "Pilot", "Platform Deal",
                                  "Support Contract", "\"Jump to Conclusions\" Mat", "Migration", "Add-on Licences"};
        const char *subjectWords[] = {"Follow up", "Call back", "Send quote", "Quarterly review", "Renewal check-in",
                                      "Onboarding", "Escalation: login fails", "Invoice question, urgent",
                                      "Demo \"v2\" walkthrough", "Contract signature"};
        const char *first[] = {"Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
                               "Edsger", "Zoë", "José", "Björn", "Anaïs", "Hiro", "Amara", "Chidi", "Ingrid"};
        const char *last[] = {"Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
                              "Allen", "Dijkstra", "O'Neil", "García", "Øberg", "Dubois", "Tanaka", "Okafor",
                              "Smith-Jones", "Nguyen"};
        for (const char *w : companyWords)
            for (const char *s : suffixes) {
                std::string name = w;
                name += (s[0] == ',' ? "" : " ");
                name += s;
                companies.push_back(escape(name, delimiter));
            }
        for (int i = 0; i < 2048; ++i) {
            std::string name = companyWords[random.below(std::size(companyWords))];
            name += " — ";
            name += products[random.below(std::size(products))];
            name += ' ';
            name += std::to_string(2026 + int(random.below(3)));
            dealNames.push_back(escape(name, delimiter));
        }
        for (const char *s : subjectWords)
            subjects.push_back(escape(s, delimiter));
        for (const char *f : first)
            firstNames.push_back(escape(f, delimiter));
        for (const char *l : last)
            lastNames.push_back(escape(l, delimiter));
        const QDate start(2026, 1, 1);
        for (int d = 0; d < 730; ++d) {
            dates.push_back(start.addDays(d).toString(Qt::ISODate).toStdString());
            dateTimes.push_back(start.addDays(d).toString(Qt::ISODate).toStdString() + "T" +
                                (d % 2 ? "09:30:00.000Z" : "14:00:00.000Z"));
        }
    }
};

// Picks parents: exact house-account rows at uniformly random positions, the rest by skew.
class ParentSampler {
public:
    ParentSampler(const SampleOptions &options, Random &random)
        : m_parents(std::max<qint64>(1, options.parents)), m_houseLeft(std::min(options.houseAccountRows, options.rows)),
          m_rowsLeft(options.rows)
    {
        const qint64 pool = m_houseLeft > 0 && m_parents > 1 ? m_parents - 1 : m_parents;
        m_poolOffset = m_parents - pool;
        // Popularity rank → parent index is a random permutation, so heavy parents are not
        // simply the first Ids.
        m_rankToParent.resize(size_t(pool));
        for (qint64 i = 0; i < pool; ++i)
            m_rankToParent[size_t(i)] = std::uint32_t(m_poolOffset + i);
        for (qint64 i = pool - 1; i > 0; --i)
            std::swap(m_rankToParent[size_t(i)], m_rankToParent[random.below(std::uint64_t(i) + 1)]);
        if (options.skew.kind == SkewSpec::Kind::Zipf && options.skew.exponent > 0) {
            m_cdf.resize(size_t(pool));
            double sum = 0;
            for (qint64 k = 0; k < pool; ++k) {
                sum += 1.0 / std::pow(double(k + 1), options.skew.exponent);
                m_cdf[size_t(k)] = sum;
            }
            for (auto &c : m_cdf)
                c /= sum;
        }
    }

    std::uint32_t next(Random &random)
    {
        if (m_houseLeft > 0 && std::int64_t(random.below(std::uint64_t(m_rowsLeft))) < m_houseLeft) {
            --m_houseLeft;
            --m_rowsLeft;
            return 0;   // the house account is parent 0
        }
        --m_rowsLeft;
        std::size_t rank;
        if (m_cdf.empty()) {
            rank = random.below(m_rankToParent.size());
        } else {
            const double u = random.uniform();
            rank = std::size_t(std::upper_bound(m_cdf.begin(), m_cdf.end(), u) - m_cdf.begin());
            rank = std::min(rank, m_cdf.size() - 1);
        }
        return m_rankToParent[rank];
    }

private:
    qint64 m_parents;
    qint64 m_houseLeft;
    qint64 m_rowsLeft;
    qint64 m_poolOffset = 0;
    std::vector<std::uint32_t> m_rankToParent;
    std::vector<double> m_cdf;
};

class Writer {
public:
    explicit Writer(FILE *out) : m_out(out) { m_buffer.reserve(kFlush + 4096); }
    bool put(std::string_view s)
    {
        m_buffer.append(s);
        return m_buffer.size() < kFlush || flush();
    }
    void putChar(char c) { m_buffer.push_back(c); }
    void putNumber(std::uint64_t n)
    {
        char tmp[24];
        auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, n);
        m_buffer.append(tmp, size_t(end - tmp));
    }
    void putCents(std::uint64_t cents)
    {
        putNumber(cents / 100);
        m_buffer.push_back('.');
        m_buffer.push_back(char('0' + (cents / 10) % 10));
        m_buffer.push_back(char('0' + cents % 10));
    }
    void putId(const char *prefix, std::uint64_t index, std::uint64_t seed)
    {
        char id[18];
        SampleIds::makeInto(id, prefix, index, seed);
        m_buffer.append(id, 18);
    }
    bool flush()
    {
        if (!m_buffer.empty() && std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_out) != m_buffer.size())
            return false;
        m_bytes += qint64(m_buffer.size());
        m_buffer.clear();
        return true;
    }
    qint64 bytes() const { return m_bytes + qint64(m_buffer.size()); }

private:
    static constexpr size_t kFlush = 4 << 20;
    FILE *m_out;
    std::string m_buffer;
    qint64 m_bytes = 0;
};

} // namespace

SampleOptions SampleOptions::caseA(qint64 houseAccountRows)
{
    SampleOptions o;
    o.object = QStringLiteral("Opportunity");
    o.operation = Operation::Update;
    o.rows = 90000;
    o.parents = 5000;
    o.skew = {SkewSpec::Kind::Zipf, 0.6};
    o.houseAccountRows = houseAccountRows;
    o.seed = 1;
    return o;
}

Result<SampleSummary> writeSample(const QString &path, const SampleOptions &options, const Progress &progress)
{
    if (options.rows < 1)
        return fail(ErrorKind::Usage, QStringLiteral("--rows must be at least 1 (got %1)").arg(options.rows));
    if (options.parents < 1)
        return fail(ErrorKind::Usage, QStringLiteral("--parents must be at least 1 (got %1)").arg(options.parents));
    if (options.parents > 100'000'000)
        return fail(ErrorKind::Usage, QStringLiteral("--parents must be at most 100,000,000"));
    if (options.houseAccountRows < 0 || options.houseAccountRows > options.rows)
        return fail(ErrorKind::Usage, QStringLiteral("--house-account must be between 0 and --rows (%1)").arg(options.rows));

    FILE *out = stdout;
    const bool toStdout = path == QLatin1String("-");
    if (!toStdout) {
        out = std::fopen(QFile::encodeName(path).constData(), "wb");
        if (!out)
            return fail(ErrorKind::Io, QStringLiteral("cannot create the file: %1").arg(QString::fromLocal8Bit(std::strerror(errno))), path);
    }

    const Shape shape = shapeOf(options.object);
    const std::uint64_t seed = options.seed;
    Random random(seed);
    Pools pools(random, options.delimiter);
    ParentSampler sampler(options, random);
    const QByteArray childPrefix = SampleIds::childPrefix(options.object).toLatin1();
    const QByteArray parentPrefix = SampleIds::parentPrefix(options.object).toLatin1();
    const char d = options.delimiter;
    const std::string eol = options.crlf ? "\r\n" : "\n";
    const std::uint64_t childSeed = seed * 31 + 7;
    const std::uint64_t parentSeed = seed * 31 + 11;
    const std::uint64_t contactSeed = seed * 31 + 13;

    // Parent of each row, decided up front so a sorted file can group them.
    std::vector<std::uint32_t> parentOfRow(size_t(options.rows));
    for (auto &p : parentOfRow)
        p = sampler.next(random);
    std::vector<std::uint32_t> rowOrder;
    if (options.sortedByParent) {
        rowOrder.resize(parentOfRow.size());
        for (size_t i = 0; i < rowOrder.size(); ++i)
            rowOrder[i] = std::uint32_t(i);
        // Ids sort like their index only by accident; sort by the parent's Id text, as a user's
        // "sort by AccountId" would.
        std::vector<std::string> parentIds(size_t(options.parents));
        for (qint64 p = 0; p < options.parents; ++p)
            parentIds[size_t(p)] = SampleIds::make(QString::fromLatin1(parentPrefix), std::uint64_t(p), parentSeed).toStdString();
        std::stable_sort(rowOrder.begin(), rowOrder.end(), [&](std::uint32_t a, std::uint32_t b) {
            return parentIds[parentOfRow[a]] < parentIds[parentOfRow[b]];
        });
    }

    const bool withId = options.operation != Operation::Insert && options.operation != Operation::Upsert;
    const bool withExternalId = options.operation == Operation::Upsert;
    const bool idOnly = options.operation == Operation::Delete;
    QStringList columns;
    if (withId) columns << QStringLiteral("Id");
    if (withExternalId) columns << QStringLiteral("External_Id__c");
    if (!idOnly) {
        switch (shape) {
        case Shape::Opportunity: columns << QStringLiteral("AccountId") << QStringLiteral("Name") << QStringLiteral("StageName") << QStringLiteral("CloseDate") << QStringLiteral("Amount"); break;
        case Shape::Contact: columns << QStringLiteral("AccountId") << QStringLiteral("FirstName") << QStringLiteral("LastName") << QStringLiteral("Email"); break;
        case Shape::Case: columns << QStringLiteral("AccountId") << QStringLiteral("ContactId") << QStringLiteral("Subject") << QStringLiteral("Status") << QStringLiteral("Priority"); break;
        case Shape::Task: columns << QStringLiteral("WhatId") << QStringLiteral("WhoId") << QStringLiteral("Subject") << QStringLiteral("ActivityDate") << QStringLiteral("Status"); break;
        case Shape::Event: columns << QStringLiteral("WhatId") << QStringLiteral("WhoId") << QStringLiteral("Subject") << QStringLiteral("StartDateTime") << QStringLiteral("DurationInMinutes"); break;
        case Shape::Account: columns << QStringLiteral("OwnerId") << QStringLiteral("Name") << QStringLiteral("Industry") << QStringLiteral("BillingCity"); break;
        case Shape::Custom: columns << options.masterField << QStringLiteral("Name") << QStringLiteral("Quantity__c") << QStringLiteral("Amount__c"); break;
        }
    }

    static const char *stages[] = {"Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                                   "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                                   "Negotiation/Review", "Closed Won", "Closed Lost"};
    static const char *caseStatus[] = {"New", "Working", "Escalated", "Closed"};
    static const char *priorities[] = {"High", "Medium", "Low"};
    static const char *industries[] = {"Banking", "Technology", "Retail", "Manufacturing", "Healthcare", "Energy"};
    static const char *cities[] = {"San Francisco", "London", "Paris", "München", "Tokyo", "São Paulo", "Lagos"};
    static const char *taskStatus[] = {"Not Started", "In Progress", "Completed", "Waiting on someone else"};

    Writer w(out);
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (i) w.putChar(d);
        w.put(columns[i].toStdString());
    }
    w.put(eol);

    const std::string dStr(1, d);
    auto pick = [&](const auto &pool) -> const auto & { return pool[random.below(std::size(pool))]; };
    for (qint64 i = 0; i < options.rows; ++i) {
        const std::uint64_t row = rowOrder.empty() ? std::uint64_t(i) : rowOrder[size_t(i)];
        const std::uint32_t parent = parentOfRow[size_t(row)];
        bool first = true;
        auto sep = [&] {
            if (!first) w.putChar(d);
            first = false;
        };
        if (withId) { sep(); w.putId(childPrefix.constData(), row, childSeed); }
        if (withExternalId) { sep(); w.put("EXT-"); w.putNumber(1000000 + row); }
        if (!idOnly) {
            switch (shape) {
            case Shape::Opportunity:
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                sep(); w.put(pick(pools.dealNames));
                sep(); w.put(pick(stages));
                sep(); w.put(pick(pools.dates));
                sep(); w.putCents(100000 + random.below(50000000));
                break;
            case Shape::Contact: {
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                const auto &f = pick(pools.firstNames);
                const auto &l = pick(pools.lastNames);
                sep(); w.put(f);
                sep(); w.put(l);
                sep(); w.put("person"); w.putNumber(row); w.put("@example.com");
                break;
            }
            case Shape::Case:
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                sep(); w.putId("003", std::uint64_t(parent) * 4 + random.below(4), contactSeed);
                sep(); w.put(pick(pools.subjects));
                sep(); w.put(pick(caseStatus));
                sep(); w.put(pick(priorities));
                break;
            case Shape::Task:
            case Shape::Event:
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                sep(); w.putId("003", std::uint64_t(parent) * 4 + random.below(4), contactSeed);
                sep(); w.put(pick(pools.subjects));
                if (shape == Shape::Task) {
                    sep(); w.put(pick(pools.dates));
                    sep(); w.put(pick(taskStatus));
                } else {
                    sep(); w.put(pick(pools.dateTimes));
                    sep(); w.putNumber(15 * (1 + random.below(8)));
                }
                break;
            case Shape::Account:
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                sep(); w.put(pick(pools.companies));
                sep(); w.put(pick(industries));
                sep(); w.put(pick(cities));
                break;
            case Shape::Custom:
                sep(); w.putId(parentPrefix.constData(), parent, parentSeed);
                sep(); w.put("Line "); w.putNumber(row + 1);
                sep(); w.putNumber(1 + random.below(100));
                sep(); w.putCents(100 + random.below(1000000));
                break;
            }
        }
        if (!w.put(eol)) {
            if (!toStdout) std::fclose(out);
            return fail(ErrorKind::Io, QStringLiteral("write failed (disk full?)"), path);
        }
        if ((i & 0xFFFF) == 0 && i) {
            progress(i, options.rows, QStringLiteral("Writing rows"));
            if (progress.cancelled()) {
                if (!toStdout) { std::fclose(out); QFile::remove(path); }
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"), path);
            }
        }
    }
    const bool flushed = w.flush() && std::fflush(out) == 0;
    if (!toStdout && std::fclose(out) != 0)
        return fail(ErrorKind::Io, QStringLiteral("write failed (disk full?)"), path);
    if (!flushed)
        return fail(ErrorKind::Io, QStringLiteral("write failed (disk full?)"), path);
    progress(options.rows, options.rows, QStringLiteral("Writing rows"));

    SampleSummary summary;
    summary.rows = options.rows;
    std::vector<bool> used(size_t(options.parents), false);
    for (auto p : parentOfRow)
        used[p] = true;
    summary.parents = std::count(used.begin(), used.end(), true);
    summary.bytes = w.bytes();
    summary.columns = columns;
    if (options.houseAccountRows > 0)
        summary.houseParentId = SampleIds::make(QString::fromLatin1(parentPrefix), 0, parentSeed);
    return summary;
}

} // namespace lockstep
