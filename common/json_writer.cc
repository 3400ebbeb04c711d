#include "common/json_writer.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

bool IsPlain(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return true;
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
    out->push_back('"');
    out->append(text);
    out->push_back('"');
    return;
  }
  out->append(nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void JsonObjectWriter::Key(std::string_view key) {
  if (text_.size() > 1) text_.push_back(',');
  AppendJsonString(key, &text_);
  text_.push_back(':');
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
