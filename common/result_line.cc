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

}  // namespace

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
