// Formats result lines, the output's only format:
//   {"id":7,"type":"fib","ok":true,"worker":1,"attempts":1,"elapsed_ms":812.4,"result":{...}}
//   {"id":7,"type":"fib","ok":false,"worker":1,"attempts":1,"elapsed_ms":3.1,"error":{"code":"...","message":"..."}}
// and a failed line may end in a "result" too (an exec task's exit status).
// Workers format the lines of tasks they ran; the coordinator formats the
// lines of tasks that never reached a worker or whose worker died.
#pragma once

#include <string>
#include <string_view>

namespace farm {

// JSON texts of the id and type (already encoded), and the run's facts.
struct ResultHeader {
  std::string_view id_json;
  std::string_view type_json = "null";
  int worker = -1;  // -1 prints null: no worker ran it
  int attempts = 1;
  double elapsed_ms = 0;
};

// Appends the line, without '\n', to *out.
void AppendSuccessLine(const ResultHeader& header, std::string_view result_json,
                       std::string* out);
// `result_json`, when given, follows the error: what a failed task still
// produced (an exec task's exit status and output).
void AppendErrorLine(const ResultHeader& header, std::string_view code,
                     std::string_view message, std::string* out,
                     std::string_view result_json = {});

// The inverse of the two above, for --db: the parts of a line they wrote, as
// views into it, without building a JSON tree. False for any other line.
struct ResultParts {
  ResultHeader header;
  bool ok = false;
  std::string_view result_json;  // the "result" value as written; empty if none
  // Not ok: the error's code and message, JSON strings as written.
  std::string_view error_code_json;
  std::string_view error_message_json;
};
bool SplitResultLine(std::string_view line, ResultParts* parts);

}  // namespace farm
