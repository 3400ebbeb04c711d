// Writes small JSON objects straight to text, members in the order given:
//   JsonObjectWriter().Add("n", 20).Add("head", "6765").Finish()
//     == {"n":20,"head":"6765"}
// Result objects are built on the hot path of tiny tasks, where a document
// tree and its serializer cost more than the task itself.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace farm {

// Appends `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
void AppendJsonString(std::string_view text, std::string* out);

class JsonObjectWriter {
 public:
  // Most results fit: one allocation, not one per doubling.
  JsonObjectWriter() { text_.reserve(128), text_.push_back('{'); }

  JsonObjectWriter& Add(std::string_view key, std::string_view value);
  JsonObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectWriter& Add(std::string_view key, int64_t value);
  JsonObjectWriter& Add(std::string_view key, uint64_t value);
  JsonObjectWriter& Add(std::string_view key, int value) { return Add(key, int64_t{value}); }
  JsonObjectWriter& Add(std::string_view key, double value);
  JsonObjectWriter& Add(std::string_view key, bool value);
  JsonObjectWriter& Add(std::string_view key, std::span<const double> values);
  JsonObjectWriter& AddNull(std::string_view key);
  // `json` must already be valid JSON text.
  JsonObjectWriter& AddRaw(std::string_view key, std::string_view json);

  // The finished object; the writer is spent.
  std::string Finish();

 private:
  // `key` is a name in farm's code, written as it is: never pass data.
  void Key(std::string_view key);
  std::string text_;
};

}  // namespace farm
