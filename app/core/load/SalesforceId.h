#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <string_view>

namespace lockstep {

// Salesforce record Ids: 15 case-sensitive base-62 characters, or 18 with a 3-character suffix
// that encodes which of the 15 are upper case (so case-insensitive tools can restore them).
// The first 3 characters are the key prefix, which names the object (001 = Account).
namespace SalesforceId {

enum class Check : std::uint8_t {
    Ok,
    Empty,
    WrongLength,    // not 15 or 18 characters
    BadCharacter,   // outside [0-9A-Za-z]
    BadChecksum,    // the 18-character suffix does not match the body
};

// Validates an Id. For an 18-character Id whose letters were case-folded (a spreadsheet
// upper- or lower-cased it) the suffix restores the case, as Salesforce itself does, so such
// an Id is valid; `canonical15` (when given) receives the case-correct 15-character form.
Check validate(std::string_view id, std::array<char, 15> *canonical15 = nullptr);

// The scanner's variant: no copy in the common case. On Ok, `restored` says whether the Id was
// case-folded, and only then `canonical15` holds the case-correct form.
Check validateForScan(std::string_view id, std::array<char, 15> &canonical15, bool &restored);

// The 3-character suffix for a 15-character Id (no validation beyond the length).
std::array<char, 3> checksumSuffix(std::string_view id15);

// 15 -> 18 characters; an 18-character Id is returned canonicalised.
QString to18(std::string_view id);

// "must be 15 or 18 characters" etc.: a phrase for an error message.
QString describe(Check check);

inline std::string_view keyPrefix(std::string_view id) { return id.substr(0, 3); }

// True when the text has the shape of an Id (15/18 base-62 characters); cheap, for sniffing.
bool looksLikeId(std::string_view text);

} // namespace SalesforceId

// Standard key prefixes (the first 3 characters of an Id) and the objects they belong to.
// Custom objects get org-specific prefixes (a00..a0Z and on); those come from describe.
namespace KeyPrefixes {
QString objectFor(std::string_view prefix);   // "" when unknown
QString prefixFor(const QString &object);    // "" when unknown (custom objects)
bool isCustomObjectPrefix(std::string_view prefix);  // a00-aZZ: allocated per org to custom objects
} // namespace KeyPrefixes

} // namespace lockstep
