#include "coordinator/exec_template.h"

#include <stdio.h>

#include "common/json_check.h"
#include "common/json_writer.h"

namespace farm {
namespace {

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// GNU parallel's {//}, POSIX dirname: trailing slashes are not a
// component, so a/b/ and a//b are in a; /a is in /, a in the current folder.
std::string_view Dirname(std::string_view path) {
  const size_t end = path.find_last_not_of('/');
  if (end == std::string_view::npos) return path.empty() ? "." : "/";
  const size_t slash = path.rfind('/', end);
  if (slash == std::string_view::npos) return ".";
  const size_t last = path.find_last_not_of('/', slash);
  return last == std::string_view::npos ? "/" : path.substr(0, last + 1);
}

// GNU parallel's {.}: the extension of the last component goes, not a dot
// in a directory's name.
std::string_view WithoutExtension(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return path;
  if (dot == 0 || (slash != std::string_view::npos && dot == slash + 1)) return path;  // .bashrc
  return path.substr(0, dot);
}

// Calls `each` for every replacement string in `text`: its offset, length
// and the name between the braces.
template <typename Each>
void ForEachReplacement(std::string_view text, Each each) {
  for (size_t at = text.find('{'); at != std::string_view::npos; at = text.find('{', at + 1)) {
    size_t close = text.find('}', at);
    if (close == std::string_view::npos) return;
    std::string_view name = text.substr(at + 1, close - at - 1);
    std::string ignored;
    if (name == "%" || ExecTemplate::Replace(name, "", 0, &ignored)) each(at, close - at + 1, name);
  }
}

}  // namespace

bool ExecTemplate::Replace(std::string_view name, std::string_view line, uint64_t seq,
                           std::string* out) {
  if (name.empty()) {
    out->append(line);
  } else if (name == ".") {
    out->append(WithoutExtension(line));
  } else if (name == "/") {
    out->append(Basename(line));
  } else if (name == "//") {
    out->append(Dirname(line));
  } else if (name == "/.") {
    out->append(WithoutExtension(Basename(line)));
  } else if (name == "#") {
    out->append(std::to_string(seq));
  } else {
    return false;
  }
  return true;
}

Status ExecTemplate::Parse(std::vector<std::string> argv, ExecTemplate* exec) {
  if (argv.empty()) return Status::Error("no command after --");
  for (size_t i = 0; i < argv.size(); ++i) {
    // Tasks carry the command as JSON, which holds text only: a byte that
    // isn't would be replaced, and another command run.
    if (size_t bad = FindInvalidUtf8(argv[i]); bad != std::string::npos) {
      char problem[120];
      snprintf(problem, sizeof problem,
               "word %zu of the command is not valid UTF-8 (byte 0x%02X at offset %zu)", i + 1,
               static_cast<unsigned char>(argv[i][bad]), bad);
      return Status::Error(problem);
    }
  }
  bool any = false;
  for (const std::string& arg : argv)
    ForEachReplacement(arg, [&](size_t, size_t, std::string_view) { any = true; });
  if (!any) argv.push_back("{}");
  exec->argv_ = std::move(argv);
  return Status::Ok();
}

bool ExecTemplate::AppendTask(std::string_view line, uint64_t seq, std::string* out) const {
  if (FindInvalidUtf8(line) != std::string_view::npos) return false;
  std::string slot_at;
  out->append("{\"type\":\"exec\",\"argv\":[");
  std::string arg;
  for (size_t i = 0; i < argv_.size(); ++i) {
    std::string_view text = argv_[i];
    arg.clear();
    size_t done = 0;
    ForEachReplacement(text, [&](size_t at, size_t length, std::string_view name) {
      arg.append(text.substr(done, at - done));
      done = at + length;
      if (name == "%") {
        slot_at += (slot_at.empty() ? "[" : ",[") + std::to_string(i) + "," +
                   std::to_string(arg.size()) + "]";
      } else {
        Replace(name, line, seq, &arg);
      }
    });
    arg.append(text.substr(done));
    if (i > 0) out->push_back(',');
    AppendJsonString(arg, out);
  }
  out->append("]");
  if (!slot_at.empty()) out->append(",\"slot_at\":[").append(slot_at).append("]");
  out->append("}");
  return true;
}

}  // namespace farm
