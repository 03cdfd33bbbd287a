#include "load/SalesforceId.h"

#include <QHash>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lockstep {
namespace SalesforceId {

namespace {

constexpr char kSuffixAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

// 0 = not base 62, 1 = digit, 2 = upper, 3 = lower.
constexpr std::array<std::uint8_t, 256> makeClassTable()
{
    std::array<std::uint8_t, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = 1;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = 2;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = 3;
    return t;
}
constexpr auto kClass = makeClassTable();

// Value of a suffix character (case-insensitive), or -1.
inline int suffixValue(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '0' && c <= '5') return 26 + (c - '0');
    return -1;
}

} // namespace

namespace {
#if defined(__SSE2__)
// Bit i set when character i of the first 15 is base 62 (valid) / upper case (upper).
struct CharMasks {
    unsigned valid;
    unsigned upper;
};
inline CharMasks classify15(const char *p)
{
    char buffer[16] = {};
    std::memcpy(buffer, p, 15);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(buffer));
    auto inRange = [&](char lo, char hi) {
        return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(char(lo - 1))), _mm_cmplt_epi8(v, _mm_set1_epi8(char(hi + 1))));
    };
    const __m128i upper = inRange('A', 'Z');
    const __m128i valid = _mm_or_si128(_mm_or_si128(upper, inRange('a', 'z')), inRange('0', '9'));
    return {unsigned(_mm_movemask_epi8(valid)) & 0x7FFFu, unsigned(_mm_movemask_epi8(upper)) & 0x7FFFu};
}
#endif
} // namespace

std::array<char, 3> checksumSuffix(std::string_view id15)
{
#if defined(__SSE2__)
    const unsigned bits = classify15(id15.data()).upper;
    return {kSuffixAlphabet[bits & 31], kSuffixAlphabet[(bits >> 5) & 31], kSuffixAlphabet[(bits >> 10) & 31]};
#else
    std::array<char, 3> out{};
    for (int group = 0; group < 3; ++group) {
        int bits = 0;
        for (int j = 0; j < 5; ++j) {
            const auto c = static_cast<unsigned char>(id15[group * 5 + j]);
            if (kClass[c] == 2)
                bits |= 1 << j;
        }
        out[group] = kSuffixAlphabet[bits];
    }
    return out;
#endif
}

Check validate(std::string_view id, std::array<char, 15> *canonical15)
{
    if (id.empty())
        return Check::Empty;
    if (id.size() != 15 && id.size() != 18)
        return Check::WrongLength;
#if defined(__SSE2__)
    const CharMasks masks = classify15(id.data());
    if (masks.valid != 0x7FFFu)
        return Check::BadCharacter;
    if (id.size() == 18 && id[15] == kSuffixAlphabet[masks.upper & 31] &&
        id[16] == kSuffixAlphabet[(masks.upper >> 5) & 31] && id[17] == kSuffixAlphabet[(masks.upper >> 10) & 31]) {
        if (canonical15)
            std::copy_n(id.data(), 15, canonical15->data());
        return Check::Ok;
    }
#else
    for (char c : id.substr(0, 15))
        if (kClass[static_cast<unsigned char>(c)] == 0)
            return Check::BadCharacter;
#endif
    if (id.size() == 15) {
        if (canonical15)
            std::copy_n(id.data(), 15, canonical15->data());
        return Check::Ok;
    }
    const auto expected = checksumSuffix(id);
    if (id[15] == expected[0] && id[16] == expected[1] && id[17] == expected[2]) {
        if (canonical15)
            std::copy_n(id.data(), 15, canonical15->data());
        return Check::Ok;
    }
    // Slow path: the Id may have been case-folded; restore the case from the suffix.
    std::array<char, 15> restored{};
    for (int group = 0; group < 3; ++group) {
        const int bits = suffixValue(id[15 + group]);
        if (bits < 0)
            return Check::BadChecksum;
        for (int j = 0; j < 5; ++j) {
            const int pos = group * 5 + j;
            char c = id[pos];
            const bool upper = bits & (1 << j);
            const auto cls = kClass[static_cast<unsigned char>(c)];
            if (cls == 1) {
                if (upper)
                    return Check::BadChecksum;  // a digit cannot be upper case
            } else {
                c = upper ? char(c & ~0x20) : char(c | 0x20);
            }
            restored[pos] = c;
        }
    }
    // Only accept a restoration when the body was visibly case-folded (all letters one case).
    // A mixed-case body that disagrees with its suffix is a mistyped Id, not a folded one.
    bool anyUpper = false, anyLower = false;
    for (char c : id.substr(0, 15)) {
        const auto cls = kClass[static_cast<unsigned char>(c)];
        anyUpper |= cls == 2;
        anyLower |= cls == 3;
    }
    if (anyUpper && anyLower)
        return Check::BadChecksum;
    if (canonical15)
        *canonical15 = restored;
    return Check::Ok;
}

Check validateForScan(std::string_view id, std::array<char, 15> &canonical15, bool &restored)
{
    restored = false;
#if defined(__SSE2__)
    if (id.size() == 18) {
        const CharMasks masks = classify15(id.data());
        if (masks.valid == 0x7FFFu && id[15] == kSuffixAlphabet[masks.upper & 31] &&
            id[16] == kSuffixAlphabet[(masks.upper >> 5) & 31] && id[17] == kSuffixAlphabet[(masks.upper >> 10) & 31])
            return Check::Ok;
    } else if (id.size() == 15) {
        return classify15(id.data()).valid == 0x7FFFu ? Check::Ok : Check::BadCharacter;
    }
#endif
    const Check check = validate(id, &canonical15);
    if (check == Check::Ok)
        restored = std::memcmp(canonical15.data(), id.data(), 15) != 0;
    return check;
}

QString to18(std::string_view id)
{
    std::array<char, 15> canonical{};
    if (validate(id, &canonical) != Check::Ok)
        return QString::fromLatin1(id.data(), qsizetype(id.size()));
    const auto suffix = checksumSuffix(std::string_view(canonical.data(), 15));
    QString out = QString::fromLatin1(canonical.data(), 15);
    out += QLatin1String(suffix.data(), 3);
    return out;
}

QString describe(Check check)
{
    switch (check) {
    case Check::Ok: return QStringLiteral("valid");
    case Check::Empty: return QStringLiteral("is empty");
    case Check::WrongLength: return QStringLiteral("must be 15 or 18 characters");
    case Check::BadCharacter: return QStringLiteral("contains a character that is not a letter or digit");
    case Check::BadChecksum: return QStringLiteral("has a wrong 18-character checksum suffix (mistyped or truncated?)");
    }
    return {};
}

bool looksLikeId(std::string_view text)
{
    if (text.size() != 15 && text.size() != 18)
        return false;
    for (char c : text)
        if (kClass[static_cast<unsigned char>(c)] == 0)
            return false;
    // Ids start with a digit or a letter and contain at least one digit in the prefix+pod area;
    // a 15-letter English word is not an Id.
    int digits = 0;
    for (char c : text.substr(0, 6))
        digits += kClass[static_cast<unsigned char>(c)] == 1;
    return digits >= 2;
}

} // namespace SalesforceId

namespace KeyPrefixes {

namespace {
struct Entry {
    const char *prefix;
    const char *object;
};
// Standard objects a data load touches. Sources: Salesforce "Standard Field Record ID Prefix
// Decoder" knowledge article and the key prefixes in jsforce / Data Loader test fixtures.
constexpr Entry kEntries[] = {
    {"001", "Account"},      {"003", "Contact"},        {"005", "User"},
    {"006", "Opportunity"},  {"00Q", "Lead"},           {"500", "Case"},
    {"00T", "Task"},         {"00U", "Event"},          {"701", "Campaign"},
    {"00v", "CampaignMember"}, {"00G", "Group"},        {"012", "RecordType"},
    {"00D", "Organization"}, {"00E", "UserRole"},       {"00e", "Profile"},
    {"800", "Contract"},     {"801", "Order"},          {"802", "OrderItem"},
    {"00k", "OpportunityLineItem"}, {"01t", "Product2"}, {"01s", "Pricebook2"},
    {"01u", "PricebookEntry"}, {"0Q0", "Quote"},        {"0QL", "QuoteLineItem"},
    {"02i", "Asset"},        {"00P", "Attachment"},     {"069", "ContentDocument"},
    {"068", "ContentVersion"}, {"0D5", "FeedItem"},     {"0Bv", "DuplicateRule"},
    {"750", "AsyncApexJob"}, {"751", "BatchInfo"},
};

const QHash<QString, QString> &byPrefix()
{
    static const QHash<QString, QString> table = [] {
        QHash<QString, QString> t;
        for (const auto &e : kEntries)
            t.insert(QString::fromLatin1(e.prefix), QString::fromLatin1(e.object));
        return t;
    }();
    return table;
}

const QHash<QString, QString> &byObject()
{
    static const QHash<QString, QString> table = [] {
        QHash<QString, QString> t;
        for (const auto &e : kEntries)
            t.insert(QString::fromLatin1(e.object).toLower(), QString::fromLatin1(e.prefix));
        return t;
    }();
    return table;
}
} // namespace

QString objectFor(std::string_view prefix)
{
    return byPrefix().value(QString::fromLatin1(prefix.data(), qsizetype(prefix.size())));
}

QString prefixFor(const QString &object)
{
    return byObject().value(object.toLower());
}

bool isCustomObjectPrefix(std::string_view prefix)
{
    return prefix.size() == 3 && prefix[0] == 'a';
}

} // namespace KeyPrefixes

} // namespace lockstep
