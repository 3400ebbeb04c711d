// libFuzzer target for what crosses a pipe: the line splitter, the reply
// decoders the coordinator runs on whatever a worker writes, and the task
// decoding and parsing a worker runs on what it reads. Checks, besides "no crash":
// lines do not depend on how the bytes were chunked, no line is longer than
// the limit, whatever a decoder accepts is a view into its line and, for a
// reply, a JSON object, and a task parses to the value nlohmann gives.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "common/line_splitter.h"
#include "common/wire.h"

namespace {

using farm::LineSplitter;

void Check(bool condition) {
  if (!condition) abort();
}

bool Within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() &&
         inner.data() + inner.size() <= outer.data() + outer.size();
}

// Equal values of the same type at every level: == alone calls 1 and 1u equal.
bool Same(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!b.contains(it.key()) || !Same(it.value(), b.at(it.key()))) return false;
    return true;
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!Same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

void Decode(std::string_view line) {
  farm::wire::Reply reply;
  if (farm::wire::DecodeReply(line, &reply)) {
    Check(Within(reply.result_line, line));
    Check(nlohmann::json::parse(reply.result_line, nullptr, false).is_object());
  }
  farm::wire::WorkerMessage note;
  if (farm::wire::DecodeWorkerMessage(line, &note)) {
    if (note.kind == farm::wire::WorkerMessage::Kind::kTransient) Check(note.after_ms >= -1);
    if (note.kind == farm::wire::WorkerMessage::Kind::kProgress)
      Check(note.fraction >= 0 && note.fraction <= 1);
  }
  farm::wire::TaskMessage message;
  if (farm::wire::DecodeTask(line, &message)) {
    Check(Within(message.task_json, line));
    Check(message.attempt >= 1);
    // What the worker does next with it: the same value as nlohmann's.
    nlohmann::json task = farm::ParseJson(message.task_json);
    nlohmann::json reference = nlohmann::json::parse(message.task_json, nullptr, false);
    Check(task.is_discarded() == reference.is_discarded());
    Check(task.is_discarded() || Same(task, reference));
  }
}

// Lines as strings, oversize ones as "\n" (which no line can be).
std::vector<std::string> Split(std::string_view input, size_t chunk, size_t max_line) {
  LineSplitter splitter(max_line);
  std::vector<std::string> lines;
  std::string_view line;
  auto take = [&](LineSplitter::Event event) {
    Check(event != LineSplitter::Event::kLine || line.size() <= max_line);
    lines.push_back(event == LineSplitter::Event::kLine ? std::string(line) : "\n");
  };
  for (size_t at = 0; at < input.size(); at += chunk) {
    splitter.Feed(input.substr(at, chunk));
    for (LineSplitter::Event e; (e = splitter.Next(&line)) != LineSplitter::Event::kNone;) take(e);
    Check(splitter.buffered() <= max_line + chunk);
  }
  if (LineSplitter::Event e = splitter.Finish(&line); e != LineSplitter::Event::kNone) take(e);
  Check(splitter.Finish(&line) == LineSplitter::Event::kNone);
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Decode(input);
  if (size < 2) return 0;
  // The first two bytes choose the chunk size and the line limit.
  size_t chunk = data[0] % 64 + 1;
  size_t max_line = data[1] % 128 + 1;
  input.remove_prefix(2);
  std::vector<std::string> whole = Split(input, input.size() + 1, max_line);
  Check(Split(input, chunk, max_line) == whole);
  for (const std::string& line : Split(input, input.size() + 1, farm::wire::kMaxReplyLine))
    Decode(line);
  return 0;
}
