#pragma once

#include <string_view>

namespace farm {

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace farm
