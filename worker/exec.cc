// Runs the user's own command: argv executed directly, never through a shell
// unless the task asks for one with "shell". Only with --allow-exec: a task
// file is data, and running commands from it must be the user's decision.
#include <string.h>
#include <sys/wait.h>

#include "common/json_check.h"
#include "common/json_writer.h"
#include "worker/command.h"
#include "worker/registry.h"

namespace farm {
namespace {

constexpr std::string_view kNotAllowed =
    "exec tasks run commands, and a task file is data: pass --allow-exec to farm run to let it "
    "run them (farm exec allows them)";

[[noreturn]] void Bad(const std::string& message) { throw TaskFailure("bad_task", message); }

// The command gets C strings, which end at a NUL: what follows one would be
// dropped without a word ("/tmp\0/x" would run in /tmp).
void CheckNoNul(std::string_view value, const std::string& what) {
  if (value.find('\0') != std::string_view::npos) Bad(what + " holds a NUL byte");
}

std::string Base64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t chunk = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) chunk |= static_cast<uint8_t>(data[i + 1]) << 8;
    if (i + 2 < data.size()) chunk |= static_cast<uint8_t>(data[i + 2]);
    text += kAlphabet[(chunk >> 18) & 63];
    text += kAlphabet[(chunk >> 12) & 63];
    text += i + 1 < data.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    text += i + 2 < data.size() ? kAlphabet[chunk & 63] : '=';
  }
  return text;
}

std::vector<std::string> ReadArgv(const nlohmann::json& task) {
  static const TaskField& kShell = TaskFieldOf("exec", "shell");
  auto argv = task.find("argv");
  bool has_shell = task.contains("shell");
  if (argv != task.end() && has_shell) Bad("give either field 'argv' or field 'shell', not both");
  if (has_shell) {
    std::string_view shell = ReadString(task, kShell);
    CheckNoNul(shell, "field 'shell'");
    return {"/bin/sh", "-c", std::string(shell)};
  }
  if (argv == task.end())
    Bad("field 'argv' is missing (or give 'shell', a command line for sh -c)");
  if (!argv->is_array() || argv->empty())
    Bad("field 'argv' must be a non-empty array of strings, got " + DescribeValue(*argv));
  std::vector<std::string> strings;
  for (const nlohmann::json& arg : *argv) {
    if (!arg.is_string()) Bad("field 'argv' must hold only strings, got " + DescribeValue(arg));
    strings.push_back(arg.get<std::string>());
    CheckNoNul(strings.back(), "field 'argv'");
  }
  return strings;
}

// farm exec's {%}: the worker's slot (1-based) inserted at [argv index,
// byte offset] pairs, given in order.
void InsertSlot(const nlohmann::json& task, int worker_index, std::vector<std::string>* argv) {
  auto at = task.find("slot_at");
  if (at == task.end()) return;
  if (!at->is_array() || at->empty())
    Bad("field 'slot_at' must be a non-empty array of [index, offset] pairs");
  std::string slot = std::to_string(worker_index + 1);
  for (auto it = at->rbegin(); it != at->rend(); ++it) {
    if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
        !(*it)[1].is_number_unsigned())
      Bad("field 'slot_at' must be an array of [index, offset] pairs");
    size_t index = (*it)[0].get<size_t>(), offset = (*it)[1].get<size_t>();
    if (index >= argv->size() || offset > (*argv)[index].size())
      Bad("field 'slot_at' points outside argv");
    (*argv)[index].insert(offset, slot);
  }
}

std::vector<std::string> ReadEnv(const nlohmann::json& task) {
  auto env = task.find("env");
  if (env == task.end()) return {};
  if (!env->is_object())
    Bad("field 'env' must be an object of strings, got " + DescribeValue(*env));
  std::vector<std::string> entries;
  for (auto it = env->begin(); it != env->end(); ++it) {
    if (!it.value().is_string())
      Bad("field 'env' value of '" + it.key() + "' must be a string, got " +
          DescribeValue(it.value()));
    CheckNoNul(it.key(), "field 'env' has a variable name that");
    if (it.key().empty() || it.key().find_first_of("=") != std::string::npos)
      Bad("field 'env' holds a bad variable name '" + it.key() + "'");
    CheckNoNul(it.value().get_ref<const std::string&>(), "field 'env' value of '" + it.key() + "'");
    entries.push_back(it.key() + "=" + it.value().get<std::string>());
  }
  return entries;
}

// The text as it came when it is UTF-8, cut at a character if truncated;
// base64 otherwise.
void AddOutput(std::string_view name, const CapturedOutput& output, JsonObjectWriter* result) {
  std::string_view text = output.kept;
  if (output.truncated())
    for (int cut = 0; cut < 4 && cut < static_cast<int>(text.size()); ++cut)
      if (FindInvalidUtf8(text.substr(0, text.size() - cut)) == std::string_view::npos) {
        text.remove_suffix(cut);
        break;
      }
  bool utf8 = FindInvalidUtf8(text) == std::string_view::npos;
  std::string key(name);
  result->Add(key, utf8 ? std::string(text) : Base64(output.kept));
  result->Add(key + "_encoding", utf8 ? "utf-8" : "base64");
  result->Add(key + "_bytes", output.total);
  result->Add(key + "_truncated", output.truncated());
}

double Ms(const timeval& time) { return time.tv_sec * 1e3 + time.tv_usec / 1e3; }

ResultJson FormatResult(const CommandOutcome& outcome) {
  JsonObjectWriter result;
  int status = outcome.wait_status;
  if (WIFEXITED(status))
    result.Add("exit_code", WEXITSTATUS(status)).AddNull("signal");
  else
    result.AddNull("exit_code").Add("signal", WTERMSIG(status));
  AddOutput("stdout", outcome.out, &result);
  AddOutput("stderr", outcome.err, &result);
  result.Add("elapsed_ms", outcome.elapsed_ms);
  result.Add("peak_rss_kb", static_cast<int64_t>(outcome.usage.ru_maxrss));
  result.Add("cpu_user_ms", Ms(outcome.usage.ru_utime));
  result.Add("cpu_system_ms", Ms(outcome.usage.ru_stime));
  return result.Finish();
}

std::string CannotStart(const std::string& command, const CommandOutcome& outcome) {
  std::string why = strerror(outcome.start_errno);
  if (std::string_view(outcome.start_step) == "exec") {
    if (outcome.start_errno == ENOENT)
      return "cannot run '" + command + "': " +
             (command.find('/') == std::string::npos ? "command not found in PATH"
                                                     : "no such file");
    if (outcome.start_errno == ENOEXEC)
      return "cannot run '" + command + "': " + why +
             " (a script needs its #! line: farm runs no shell unless asked)";
    return "cannot run '" + command + "': " + why;
  }
  return "cannot run '" + command + "': " + outcome.start_step + ": " + why;
}

}  // namespace

ResultJson RunExec(const nlohmann::json& task, TaskContext& context) {
  static const TaskField& kStdin = TaskFieldOf("exec", "stdin");
  static const TaskField& kCwd = TaskFieldOf("exec", "cwd");
  static const TaskField& kTimeout = TaskFieldOf("exec", "timeout_s");
  static const TaskField& kMaxOutput = TaskFieldOf("exec", "max_output_bytes");
  CommandSpec spec;
  spec.argv = ReadArgv(task);
  InsertSlot(task, context.worker.index, &spec.argv);
  spec.env = ReadEnv(task);
  spec.cwd = ReadString(task, kCwd);
  CheckNoNul(spec.cwd, "field 'cwd'");
  spec.has_stdin = task.contains("stdin");
  spec.stdin_text = ReadString(task, kStdin);
  spec.timeout_s = ReadNumber(task, kTimeout);
  spec.max_output_bytes = static_cast<size_t>(ReadInteger(task, kMaxOutput));
  spec.running = context.worker.running;
  // Checked once the task is known to be well formed, so a malformed one
  // says what is wrong with it.
  if (!context.worker.allow_exec) throw TaskFailure("bad_task", std::string(kNotAllowed));

  CommandOutcome outcome;
  RunUserCommand(spec, &outcome);
  if (outcome.start_errno != 0) {
    // As a shell says it: 127 for a command not found, 126 for one found
    // that could not run.
    const bool found = std::string_view(outcome.start_step) == "exec" &&
                       outcome.start_errno != ENOENT;
    JsonObjectWriter result;
    result.Add("exit_code", found ? 126 : 127).AddNull("signal");
    throw TaskFailure("exit_status", CannotStart(spec.argv[0], outcome), result.Finish());
  }
  ResultJson result = FormatResult(outcome);
  int status = outcome.wait_status;
  if (outcome.timed_out) {
    char limit[32];
    snprintf(limit, sizeof limit, "%g", spec.timeout_s);
    throw TaskFailure(
        "timeout", std::string("ran over timeout_s ") + limit + " s: its process group was killed",
        result);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return result;
  std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status)) +
                                            " (" + strsignal(WTERMSIG(status)) + ")";
  if (context.worker.memory_limit_mb > 0)
    how += " (it ran under --memory-limit " + std::to_string(context.worker.memory_limit_mb) +
           " MB of address space: an allocation over it fails)";
  throw TaskFailure("exit_status", how, result);
}

}  // namespace farm
