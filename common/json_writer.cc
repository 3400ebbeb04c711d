#include "common/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

bool IsPlain(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
}

void AppendDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");  // JSON has no NaN or infinity
    return;
  }
  char digits[32];
  // Shortest text that reads back as the same double.
  out->append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  if (IsPlain(text)) {
    size_t at = out->size();
    out->resize(at + text.size() + 2);  // one growth, not three
    char* p = out->data() + at;
    *p = '"';
    text.copy(p + 1, text.size());
    p[text.size() + 1] = '"';
    return;
  }
  out->append(nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Keys are names in farm's code, never data: no escaping to look for.
void JsonObjectWriter::Key(std::string_view key) {
  text_.append(text_.size() > 1 ? ",\"" : "\"").append(key).append("\":");
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(value, &text_);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, int64_t value) {
  Key(key);
  char digits[24];
  text_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, uint64_t value) {
  Key(key);
  char digits[24];
  text_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, double value) {
  Key(key);
  AppendDouble(value, &text_);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, bool value) {
  Key(key);
  text_.append(value ? "true" : "false");
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Add(std::string_view key, std::span<const double> values) {
  Key(key);
  text_.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_.push_back(',');
    AppendDouble(values[i], &text_);
  }
  text_.push_back(']');
  return *this;
}

JsonObjectWriter& JsonObjectWriter::AddNull(std::string_view key) {
  Key(key);
  text_.append("null");
  return *this;
}

JsonObjectWriter& JsonObjectWriter::AddRaw(std::string_view key, std::string_view json) {
  Key(key);
  text_.append(json);
  return *this;
}

std::string JsonObjectWriter::Finish() {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace farm
