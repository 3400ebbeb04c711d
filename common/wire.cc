#include "common/wire.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace farm::wire {
namespace {

constexpr std::string_view kReplyPrefix = "{\"seq\":";
constexpr std::string_view kOkTrue = ",\"ok\":true,\"reply\":";
constexpr std::string_view kOkFalse = ",\"ok\":false,\"reply\":";

void AppendNumber(uint64_t value, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out->append(digits, end);
}

bool ConsumePrefix(std::string_view* text, std::string_view prefix) {
  if (text->substr(0, prefix.size()) != prefix) return false;
  text->remove_prefix(prefix.size());
  return true;
}

}  // namespace

void AppendTask(uint64_t seq, int attempt, std::string_view task_json, std::string* out) {
  out->append("{\"seq\":");
  AppendNumber(seq, out);
  out->append(",\"attempt\":");
  AppendNumber(static_cast<uint64_t>(attempt), out);
  out->append(",\"task\":");
  out->append(task_json);
  out->append("}\n");
}

void AppendReply(uint64_t seq, bool ok, std::string_view result_line, std::string* out) {
  out->append(kReplyPrefix);
  AppendNumber(seq, out);
  out->append(ok ? kOkTrue : kOkFalse);
  out->append(result_line);
  out->append("}\n");
}

bool DecodeReply(std::string_view line, Reply* reply) {
  if (!ConsumePrefix(&line, kReplyPrefix)) return false;
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), reply->seq);
  if (ec != std::errc() || end == line.data()) return false;
  line.remove_prefix(end - line.data());
  if (ConsumePrefix(&line, kOkTrue)) {
    reply->ok = true;
  } else if (ConsumePrefix(&line, kOkFalse)) {
    reply->ok = false;
  } else {
    return false;
  }
  if (line.size() < 3 || line.front() != '{' || line.back() != '}') return false;
  line.remove_suffix(1);
  // A worker is ours, but a broken one must not put a torn line in the output.
  if (!nlohmann::json::accept(line)) return false;
  reply->result_line = line;
  return true;
}

}  // namespace farm::wire
