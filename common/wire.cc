#include "common/wire.h"

#include <charconv>

#include "common/json_check.h"

namespace farm::wire {
namespace {

constexpr std::string_view kSeqPrefix = "{\"seq\":";
constexpr std::string_view kAttempt = ",\"attempt\":";
constexpr std::string_view kTask = ",\"task\":";
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

template <typename Number>
bool ConsumeNumber(std::string_view* text, Number* value) {
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), *value);
  if (ec != std::errc() || end == text->data()) return false;
  text->remove_prefix(end - text->data());
  return true;
}

}  // namespace

void AppendTask(uint64_t seq, int attempt, std::string_view task_json, std::string* out) {
  out->append(kSeqPrefix);
  AppendNumber(seq, out);
  out->append(kAttempt);
  AppendNumber(static_cast<uint64_t>(attempt), out);
  out->append(kTask);
  out->append(task_json);
  out->append("}\n");
}

void AppendReply(uint64_t seq, bool ok, std::string_view result_line, std::string* out) {
  out->append(kSeqPrefix);
  AppendNumber(seq, out);
  out->append(ok ? kOkTrue : kOkFalse);
  out->append(result_line);
  out->append("}\n");
}

bool DecodeTask(std::string_view line, TaskMessage* message) {
  if (!ConsumePrefix(&line, kSeqPrefix) || !ConsumeNumber(&line, &message->seq) ||
      !ConsumePrefix(&line, kAttempt) || !ConsumeNumber(&line, &message->attempt) ||
      message->attempt < 1 || !ConsumePrefix(&line, kTask))
    return false;
  if (line.size() < 2 || line.back() != '}') return false;
  line.remove_suffix(1);
  message->task_json = line;
  return true;
}

bool DecodeReply(std::string_view line, Reply* reply) {
  if (!ConsumePrefix(&line, kSeqPrefix) || !ConsumeNumber(&line, &reply->seq)) return false;
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
  if (!IsValidJson(line)) return false;
  reply->result_line = line;
  return true;
}

}  // namespace farm::wire
