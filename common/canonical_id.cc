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
