#pragma once

#include <cstddef>
#include <string_view>

namespace lockstep {

// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF).
// Returns the offset of the first invalid byte, or npos when the text is valid.
std::size_t firstInvalidUtf8(std::string_view text);

} // namespace lockstep
