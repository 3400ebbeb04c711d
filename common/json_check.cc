#include "common/json_check.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace farm {
namespace {

using Byte = unsigned char;

class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : p_(reinterpret_cast<const Byte*>(text.data())), end_(p_ + text.size()) {}

  bool Document();
  // Skips well-formed UTF-8; returns where it stops.
  size_t Utf8Prefix();

 private:
  bool At(Byte c) const { return p_ < end_ && *p_ == c; }
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool Literal(std::string_view word);
  bool Number();
  bool String();
  bool Utf8Sequence();
  bool Hex4(unsigned* value);
  bool Key();  // a member name, then ':'

  const Byte* p_;
  const Byte* end_;
};

bool Scanner::Literal(std::string_view word) {
  if (static_cast<size_t>(end_ - p_) < word.size() ||
      std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word)
    return false;
  p_ += word.size();
  return true;
}

bool Scanner::Number() {
  auto digits = [&] {
    const Byte* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ > start;
  };
  const Byte* start = p_;
  if (At('-')) ++p_;
  const Byte* integer_start = p_;
  if (At('0')) {
    ++p_;
  } else if (!digits()) {
    return false;
  }
  long magnitude = p_ - integer_start;  // the number is below 10^magnitude
  if (At('.')) {
    ++p_;
    if (!digits()) return false;
  }
  if (At('e') || At('E')) {
    ++p_;
    bool negative = At('-');
    if (At('+') || At('-')) ++p_;
    const Byte* exponent_start = p_;
    if (!digits()) return false;
    long exponent = 0;  // saturates: past 10^5 only "huge" matters
    for (const Byte* d = exponent_start; d < p_ && exponent < 100'000; ++d)
      exponent = exponent * 10 + (*d - '0');
    magnitude += negative ? -exponent : exponent;
  }
  // The parser rejects a number beyond double's range ("number overflow"),
  // so must we. Below 10^308 none is; only those above need strtod.
  if (magnitude <= 308) return true;
  std::string token(reinterpret_cast<const char*>(start), p_ - start);
  return std::isfinite(std::strtod(token.c_str(), nullptr));
}

bool Scanner::Hex4(unsigned* value) {
  if (end_ - p_ < 4) return false;
  *value = 0;
  for (int i = 0; i < 4; ++i, ++p_) {
    Byte c = *p_;
    unsigned digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return false;
    *value = *value * 16 + digit;
  }
  return true;
}

// One multi-byte UTF-8 character: no overlong forms, no surrogates, at most
// U+10FFFF.
bool Scanner::Utf8Sequence() {
  Byte lead = *p_;
  int length;
  Byte min = 0x80, max = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min = 0xA0;
    if (lead == 0xED) max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min = 0x90;
    if (lead == 0xF4) max = 0x8F;
  } else {
    return false;
  }
  if (end_ - p_ < length || p_[1] < min || p_[1] > max) return false;
  for (int i = 2; i < length; ++i)
    if (p_[i] < 0x80 || p_[i] > 0xBF) return false;
  p_ += length;
  return true;
}

size_t Scanner::Utf8Prefix() {
  const Byte* start = p_;
  while (p_ < end_) {
    if (*p_ < 0x80) {
      ++p_;
    } else if (!Utf8Sequence()) {
      break;
    }
  }
  return static_cast<size_t>(p_ - start);
}

bool Scanner::String() {
  ++p_;  // the opening quote
  while (p_ < end_) {
    Byte c = *p_;
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      if (!Utf8Sequence()) return false;
      continue;
    }
    ++p_;
    if (c != '\\') continue;
    if (p_ == end_) return false;
    Byte escape = *p_++;
    if (escape == 'u') {
      unsigned unit;
      if (!Hex4(&unit)) return false;
      if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a lone low surrogate
      if (unit >= 0xD800 && unit <= 0xDBFF) {              // must pair with a low one
        unsigned low;
        if (!Literal("\\u") || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      }
    } else if (std::string_view("\"\\/bfnrt").find(static_cast<char>(escape)) ==
               std::string_view::npos) {
      return false;
    }
  }
  return false;
}

bool Scanner::Key() {
  SkipSpace();
  if (!At('"') || !String()) return false;
  SkipSpace();
  if (!At(':')) return false;
  ++p_;
  return true;
}

bool Scanner::Document() {
  std::string open;  // the containers we are inside: '{' or '['
  SkipSpace();
  for (;;) {
    // A value.
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        ++p_;
        SkipSpace();
        if (At('}')) {
          ++p_;
          break;
        }
        open.push_back('{');
        if (!Key()) return false;
        continue;
      case '[':
        ++p_;
        SkipSpace();
        if (At(']')) {
          ++p_;
          break;
        }
        open.push_back('[');
        continue;
      case '"':
        if (!String()) return false;
        break;
      case 't':
        if (!Literal("true")) return false;
        break;
      case 'f':
        if (!Literal("false")) return false;
        break;
      case 'n':
        if (!Literal("null")) return false;
        break;
      default:
        if (!Number()) return false;
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      SkipSpace();
      if (open.empty()) return p_ == end_;
      if (At(',')) {
        ++p_;
        if (open.back() == '{' && !Key()) return false;
        break;
      }
      if (!At(open.back() == '{' ? '}' : ']')) return false;
      ++p_;
      open.pop_back();
    }
  }
}

}  // namespace

bool IsValidJson(std::string_view text) { return Scanner(text).Document(); }

size_t FindInvalidUtf8(std::string_view text) {
  Scanner scanner(text);
  size_t valid = scanner.Utf8Prefix();
  return valid == text.size() ? std::string_view::npos : valid;
}

}  // namespace farm
