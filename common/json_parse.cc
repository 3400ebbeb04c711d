#include "common/json_parse.h"

#include <cstdint>
#include <string>

namespace farm {
namespace {

// Below 10^18: fits int64_t and uint64_t without a check.
constexpr size_t kMaxDigits = 18;

// Parses a flat object of plain members, or gives up (false) on anything
// else: nesting, escapes, non-ASCII text, fractions, exponents, big numbers,
// and every error. Giving up is always safe; nlohmann then decides.
class FlatObjectParser {
 public:
  explicit FlatObjectParser(std::string_view text) : p_(text.data()), end_(p_ + text.size()) {}

  bool Parse(nlohmann::json* out) {
    nlohmann::json object = nlohmann::json::object();
    if (!Take('{')) return false;
    if (!Take('}')) {
      do {
        std::string_view key;
        if (!String(&key) || !Take(':')) return false;
        // A repeated key keeps its last value, as nlohmann's parser does.
        if (!Scalar(&object[key])) return false;
      } while (Take(','));
      if (!Take('}')) return false;
    }
    SkipSpace();
    if (p_ != end_) return false;
    *out = std::move(object);
    return true;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  // Skips space, then takes `c` if it is next.
  bool Take(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // A string of printable ASCII without escapes.
  bool String(std::string_view* text) {
    if (!Take('"')) return false;
    const char* start = p_;
    for (; p_ < end_ && *p_ != '"'; ++p_) {
      const auto byte = static_cast<unsigned char>(*p_);
      if (byte < 0x20 || byte >= 0x80 || byte == '\\') return false;
    }
    if (p_ == end_) return false;
    *text = std::string_view(start, static_cast<size_t>(p_ - start));
    ++p_;
    return true;
  }

  bool Word(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  // An integer of up to kMaxDigits digits: unsigned unless negative, as
  // nlohmann stores it.
  bool Integer(nlohmann::json* value) {
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    const char* start = p_;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    const size_t digits = static_cast<size_t>(p_ - start);
    if (digits == 0 || digits > kMaxDigits || (digits > 1 && *start == '0')) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    uint64_t magnitude = 0;
    for (const char* d = start; d < p_; ++d)
      magnitude = magnitude * 10 + static_cast<uint64_t>(*d - '0');
    if (negative) {
      *value = -static_cast<int64_t>(magnitude);
    } else {
      *value = magnitude;
    }
    return true;
  }

  bool Scalar(nlohmann::json* value) {
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        std::string_view text;
        if (!String(&text)) return false;
        *value = std::string(text);
        return true;
      }
      case 't':
        return Word("true") && (*value = true, true);
      case 'f':
        return Word("false") && (*value = false, true);
      case 'n':
        return Word("null") && (*value = nullptr, true);
      default:
        return Integer(value);
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool ParseFlatJson(std::string_view text, nlohmann::json* value) {
  return FlatObjectParser(text).Parse(value);
}

nlohmann::json ParseJson(std::string_view text) {
  nlohmann::json value;
  if (ParseFlatJson(text, &value)) return value;
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace farm
