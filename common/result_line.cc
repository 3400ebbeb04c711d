#include "common/result_line.h"

#include <charconv>

#include "common/json_writer.h"

namespace farm {
namespace {

void AppendHeader(const ResultHeader& header, bool ok, std::string* out) {
  char number[32];
  out->append("{\"id\":").append(header.id_json);
  out->append(",\"type\":").append(header.type_json);
  out->append(ok ? ",\"ok\":true,\"worker\":" : ",\"ok\":false,\"worker\":");
  if (header.worker < 0) {
    out->append("null");
  } else {
    out->append(number, std::to_chars(number, number + sizeof number, header.worker).ptr);
  }
  out->append(",\"attempts\":");
  out->append(number, std::to_chars(number, number + sizeof number, header.attempts).ptr);
  out->append(",\"elapsed_ms\":");
  out->append(number, std::to_chars(number, number + sizeof number, header.elapsed_ms,
                                    std::chars_format::fixed, 3)
                          .ptr);
}

// Takes `literal` off the front of *text.
bool Eat(std::string_view literal, std::string_view* text) {
  if (!text->starts_with(literal)) return false;
  text->remove_prefix(literal.size());
  return true;
}

// Takes a JSON string, or else a number or `null`, off the front of *text.
bool EatValue(std::string_view* text, std::string_view* value) {
  size_t end = 0;
  if (!text->empty() && text->front() == '"') {
    for (end = 1; end < text->size() && (*text)[end] != '"'; ++end)
      if ((*text)[end] == '\\') ++end;
    if (end++ >= text->size()) return false;
  } else {
    end = text->find_first_of(",}");
    if (end == std::string_view::npos || end == 0) return false;
  }
  *value = text->substr(0, end);
  text->remove_prefix(end);
  return true;
}

template <typename Number>
bool EatNumber(std::string_view* text, Number* number) {
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), *number);
  if (error != std::errc()) return false;
  text->remove_prefix(static_cast<size_t>(end - text->data()));
  return true;
}

}  // namespace

bool SplitResultLine(std::string_view line, ResultParts* parts) {
  ResultHeader& header = parts->header;
  if (!Eat("{\"id\":", &line) || !EatValue(&line, &header.id_json)) return false;
  if (!Eat(",\"type\":", &line) || !EatValue(&line, &header.type_json)) return false;
  parts->ok = Eat(",\"ok\":true", &line);
  if (!parts->ok && !Eat(",\"ok\":false", &line)) return false;
  if (!Eat(",\"worker\":", &line)) return false;
  header.worker = -1;
  if (!Eat("null", &line) && !EatNumber(&line, &header.worker)) return false;
  if (!Eat(",\"attempts\":", &line) || !EatNumber(&line, &header.attempts)) return false;
  if (!Eat(",\"elapsed_ms\":", &line) || !EatNumber(&line, &header.elapsed_ms)) return false;
  parts->result_json = {};
  if (!parts->ok) {
    if (!Eat(",\"error\":{\"code\":", &line) || !EatValue(&line, &parts->error_code_json) ||
        !Eat(",\"message\":", &line) || !EatValue(&line, &parts->error_message_json) ||
        !Eat("}", &line))
      return false;
    if (line == "}") return true;
  }
  if (!Eat(",\"result\":", &line) || !line.ends_with('}')) return false;
  parts->result_json = line.substr(0, line.size() - 1);
  return !parts->result_json.empty();
}

void AppendSuccessLine(const ResultHeader& header, std::string_view result_json,
                       std::string* out) {
  AppendHeader(header, true, out);
  out->append(",\"result\":").append(result_json).append("}");
}

void AppendErrorLine(const ResultHeader& header, std::string_view code,
                     std::string_view message, std::string* out, std::string_view result_json) {
  AppendHeader(header, false, out);
  // Messages quote user input, which may hold invalid UTF-8: it is replaced.
  out->append(",\"error\":{\"code\":");
  AppendJsonString(code, out);
  out->append(",\"message\":");
  AppendJsonString(message, out);
  out->append("}");
  if (!result_json.empty()) out->append(",\"result\":").append(result_json);
  out->append("}");
}

}  // namespace farm
