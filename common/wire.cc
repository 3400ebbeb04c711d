#include "common/wire.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "common/json_check.h"

namespace farm::wire {
namespace {

constexpr std::string_view kSeqPrefix = "{\"seq\":";
constexpr std::string_view kAttempt = ",\"attempt\":";
constexpr std::string_view kTask = ",\"task\":";
constexpr std::string_view kOkTrue = ",\"ok\":true,\"reply\":";
constexpr std::string_view kOkFalse = ",\"ok\":false,\"reply\":";
constexpr std::string_view kSettingsPrefix = "{\"settings\":";
constexpr std::string_view kStartedPrefix = "{\"started\":";
constexpr std::string_view kOutOfMemoryPrefix = "{\"out_of_memory\":";
constexpr std::string_view kTransientPrefix = "{\"transient\":";
constexpr std::string_view kAfterMs = ",\"after_ms\":";
constexpr std::string_view kProgressPrefix = "{\"progress\":";
constexpr std::string_view kFraction = ",\"fraction\":";

void AppendNumber(uint64_t value, std::string* out) {
  if (value < 10) return out->push_back(static_cast<char>('0' + value));  // attempts, mostly
  char digits[24];
  out->append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
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

void AppendSettings(const WorkerSettings& settings, std::string* out) {
  const FetchSettings& fetch = settings.fetch;
  nlohmann::ordered_json message = {
      {"settings",
       {{"index", settings.index},
        {"generation", settings.generation},
        {"master_seed", settings.master_seed},
        {"memory_limit_mb", settings.memory_limit_mb},
        {"task_timeout_s", settings.task_timeout_s},
        {"allow_exec", settings.allow_exec},
        {"fetch",
         {{"out_dir", fetch.out_dir},
          {"concurrency", fetch.concurrency},
          {"user_agent", fetch.user_agent},
          {"headers", fetch.headers}}}}}};
  out->append(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  out->push_back('\n');
}

bool IsSettings(std::string_view line) { return line.starts_with(kSettingsPrefix); }

Status DecodeSettings(std::string_view line, WorkerSettings* settings) {
  nlohmann::json message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object() || !message.contains("settings"))
    return Status::Error("not a settings message");
  try {
    const nlohmann::json& s = message.at("settings");
    const nlohmann::json& fetch = s.at("fetch");
    settings->index = s.at("index").get<int>();
    settings->generation = s.at("generation").get<uint64_t>();
    settings->master_seed = s.at("master_seed").get<uint64_t>();
    settings->memory_limit_mb = s.at("memory_limit_mb").get<int>();
    settings->task_timeout_s = s.at("task_timeout_s").get<double>();
    settings->allow_exec = s.at("allow_exec").get<bool>();
    settings->fetch.out_dir = fetch.at("out_dir").get<std::string>();
    settings->fetch.concurrency = fetch.at("concurrency").get<int>();
    settings->fetch.user_agent = fetch.at("user_agent").get<std::string>();
    settings->fetch.headers = fetch.at("headers").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(std::string("malformed settings message: ") + e.what());
  }
  return Status::Ok();
}

void AppendStarted(uint64_t seq, std::string* out) {
  out->append(kStartedPrefix);
  AppendNumber(seq, out);
  out->append("}\n");
}

void AppendOutOfMemory(uint64_t seq, std::string* out) {
  out->append(kOutOfMemoryPrefix);
  AppendNumber(seq, out);
  out->append("}\n");
}

void AppendTransient(uint64_t seq, int64_t after_ms, std::string* out) {
  out->append(kTransientPrefix);
  AppendNumber(seq, out);
  out->append(kAfterMs);
  if (after_ms < 0) {
    out->append("-1");
  } else {
    AppendNumber(static_cast<uint64_t>(after_ms), out);
  }
  out->append("}\n");
}

void AppendProgress(uint64_t seq, double fraction, std::string* out) {
  out->append(kProgressPrefix);
  AppendNumber(seq, out);
  out->append(kFraction);
  char digits[32];  // the shortest text that reads back as the same double
  out->append(digits, std::to_chars(digits, digits + sizeof digits, fraction).ptr);
  out->append("}\n");
}

size_t FormatOutOfMemory(uint64_t seq, char (&buffer)[48]) {
  char* p = std::copy(kOutOfMemoryPrefix.begin(), kOutOfMemoryPrefix.end(), buffer);
  p = std::to_chars(p, buffer + sizeof buffer - 2, seq).ptr;
  *p++ = '}';
  *p++ = '\n';
  return static_cast<size_t>(p - buffer);
}

bool DecodeReply(std::string_view line, Reply* reply, bool check_json) {
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
  if (check_json && !IsValidJson(line)) return false;
  reply->result_line = line;
  return true;
}

bool DecodeWorkerMessage(std::string_view line, WorkerMessage* message, bool check_json) {
  using Kind = WorkerMessage::Kind;
  if (line.starts_with(kSeqPrefix)) {
    message->kind = Kind::kReply;
    return DecodeReply(line, &message->reply, check_json);
  }
  if (ConsumePrefix(&line, kStartedPrefix)) {
    message->kind = Kind::kStarted;
  } else if (ConsumePrefix(&line, kOutOfMemoryPrefix)) {
    message->kind = Kind::kOutOfMemory;
  } else if (ConsumePrefix(&line, kTransientPrefix)) {
    message->kind = Kind::kTransient;
    return ConsumeNumber(&line, &message->seq) && ConsumePrefix(&line, kAfterMs) &&
           ConsumeNumber(&line, &message->after_ms) && message->after_ms >= -1 && line == "}";
  } else if (ConsumePrefix(&line, kProgressPrefix)) {
    message->kind = Kind::kProgress;
    // The comparisons are false for NaN as well.
    return ConsumeNumber(&line, &message->seq) && ConsumePrefix(&line, kFraction) &&
           ConsumeNumber(&line, &message->fraction) && message->fraction >= 0 &&
           message->fraction <= 1 && line == "}";
  } else {
    return false;
  }
  return ConsumeNumber(&line, &message->seq) && line == "}";
}

}  // namespace farm::wire
