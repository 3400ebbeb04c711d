#include "common/canonical_id.h"

#include "common/json_writer.h"

namespace farm {

std::string CanonicalIdOf(const nlohmann::json& id) {
  if (id.is_number_unsigned()) return std::to_string(id.get<uint64_t>());
  if (id.is_number_integer()) return std::to_string(id.get<int64_t>());
  std::string text;
  AppendJsonString(id.get_ref<const std::string&>(), &text);
  return text;
}

bool CanonicalId(const nlohmann::json& task, uint64_t seq, std::string* id_json) {
  if (task.is_object()) {
    auto id = task.find("id");
    if (id != task.end() && (id->is_string() || id->is_number_integer())) {
      *id_json = CanonicalIdOf(*id);
      return true;
    }
    if (id != task.end()) {
      *id_json = std::to_string(seq);
      return false;
    }
  }
  *id_json = std::to_string(seq);
  return true;
}

namespace {

size_t SkipSpace(std::string_view json, size_t at) {
  while (at < json.size() && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' ||
                              json[at] == '\r'))
    ++at;
  return at;
}

// The end of the string that starts at `at` (its opening quote), just past
// the closing one; *plain says whether it holds only printable ASCII.
size_t SkipString(std::string_view json, size_t at, bool* plain) {
  *plain = true;
  for (++at; at < json.size() && json[at] != '"'; ++at) {
    unsigned char c = static_cast<unsigned char>(json[at]);
    if (c == '\\') ++at;
    if (c == '\\' || c < 0x20 || c >= 0x7f) *plain = false;
  }
  return at + 1;
}

// The end of the value that starts at `at`, in valid JSON.
size_t SkipValue(std::string_view json, size_t at) {
  bool plain;
  if (json[at] == '"') return SkipString(json, at, &plain);
  int depth = 0;
  for (; at < json.size(); ++at) {
    char c = json[at];
    if (c == '"') {
      at = SkipString(json, at, &plain) - 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth-- == 0) return at;
      if (depth == 0) return at + 1;
    } else if (c == ',' && depth == 0) {
      return at;
    }
  }
  return at;
}

// The id value at `at`: true with *id_json set, or false if the parse must decide.
bool ScanIdValue(std::string_view json, size_t at, size_t end, uint64_t seq,
                 std::string* id_json) {
  std::string_view value = json.substr(at, end - at);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' ||
                            value.back() == '\n' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.front() == '"') {
    bool plain;
    SkipString(json, at, &plain);
    if (!plain) return false;
  } else if (value.front() == '-' || (value.front() >= '0' && value.front() <= '9')) {
    if (value.size() > 18 || value == "-0" ||
        value.find_first_not_of("-0123456789") != std::string_view::npos)
      return false;
  } else {  // null, true, an object...: no usable id
    return *id_json = std::to_string(seq), true;
  }
  id_json->assign(value);
  return true;
}

}  // namespace

bool ScanCanonicalId(std::string_view json, uint64_t seq, std::string* id_json) {
  size_t at = SkipSpace(json, 0);
  *id_json = std::to_string(seq);
  if (at == json.size() || json[at] != '{') return true;
  bool found = false;
  for (at = SkipSpace(json, at + 1); at < json.size() && json[at] == '"';) {
    bool plain_key;
    size_t key_end = SkipString(json, at, &plain_key);
    if (!plain_key) return false;
    const bool is_id = json.substr(at, key_end - at) == "\"id\"";
    size_t value = SkipSpace(json, SkipSpace(json, key_end) + 1);  // past ':'
    size_t value_end = SkipValue(json, value);
    if (is_id && (found || !ScanIdValue(json, value, value_end, seq, id_json))) return false;
    found |= is_id;
    at = SkipSpace(json, value_end);
    if (at < json.size() && json[at] == ',') at = SkipSpace(json, at + 1);
  }
  return true;
}

TaskIdentity IdentifyTask(std::string_view task_json, uint64_t seq) {
  TaskIdentity identity{.id_json = "", .type_json = "null"};
  nlohmann::json task = nlohmann::json::parse(task_json, nullptr, /*allow_exceptions=*/false);
  CanonicalId(task, seq, &identity.id_json);
  if (task.is_object()) {
    auto type = task.find("type");
    if (type != task.end() && type->is_string()) {
      identity.type_json.clear();
      AppendJsonString(type->get_ref<const std::string&>(), &identity.type_json);
    }
  }
  return identity;
}

}  // namespace farm
