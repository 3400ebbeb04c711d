#include "coordinator/exec_command.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "coordinator/exec_template.h"
#include "coordinator/run.h"

namespace farm {
namespace {

constexpr const char* kUsage =
    "usage: farm exec [OPTIONS] -- CMD ARGS... [::: ARG...]   (farm exec --help for more)\n";

constexpr const char* kHelp = R"(farm exec: run your command once per input line or argument

usage: farm exec [OPTIONS] -- CMD ARGS...              one task per line of stdin
       farm exec [OPTIONS] -a FILE -- CMD ARGS...      one task per line of FILE
       farm exec [OPTIONS] -- CMD ARGS... ::: ARG...   one task per ARG

CMD runs directly, never through a shell; each argument is substituted into
ARGS by GNU parallel's replacement strings (with none, {} is appended):
  {}    the argument           {.}   without its extension
  {/}   its basename           {//}  its directory
  {/.}  basename, no extension {#}   its line number (the task id)
  {%}   the worker's slot, 1..-j
Want a shell? Ask for it: farm exec -- sh -c 'zcat "$1" | wc -l' sh {}

options (besides every farm run option: -j, --mode, --keep-order, --retries,
--task-timeout, --memory-limit, --resume, --progress, --halt, --summary-json):
  --output json            farm's JSON result lines (default): stdout, or -o FILE
  --output stdout          each job's stdout printed whole as it ends (its
                           stderr to stderr); the JSON lines go to -o FILE if given
  -o FILE                  where the JSON result lines go
  -a, --arg-file FILE      arguments, one a line (default: stdin)
  -k                       --keep-order, as in GNU parallel

examples:
  ls *.txt | farm exec -j 8 -- gzip -9 -k {}
  farm exec --output stdout --keep-order -- echo {#}: {/.} ::: a/x.jpg b/y.jpg
  farm exec -o log.jsonl --resume -a files.txt -- convert {} {.}.png
)";

std::string DecodeBase64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return bytes;
}

// farm exec --output stdout: a job's stdout whole to stdout, its stderr to
// stderr; for a job that has no output (it never ran), the error.
void PrintJobOutput(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return;
  auto result = parsed.find("result");
  if (result == parsed.end() || !result->is_object() || !result->contains("stdout")) {
    if (auto error = parsed.find("error"); error != parsed.end() && error->is_object())
      fprintf(stderr, "farm exec: task %s: %s\n",
              parsed.value("id", nlohmann::json()).dump().c_str(),
              error->value("message", "").c_str());
    return;
  }
  for (auto [key, to] : {std::pair{"stdout", stdout}, std::pair{"stderr", stderr}}) {
    std::string text = result->value(key, "");
    if (result->value(std::string(key) + "_encoding", "utf-8") == "base64")
      text = DecodeBase64(text);
    fwrite(text.data(), 1, text.size(), to);
    fflush(to);
  }
}

// The arguments after ':::' as lines in a memory file, read as any input.
Status ArgumentsFile(const std::vector<std::string>& arguments, Fd* fd, std::string* path) {
  std::string text;
  for (const std::string& arg : arguments) {
    if (arg.find('\n') != std::string::npos)
      return Status::Error(
          "an argument after ::: holds a newline; give such arguments with -a FILE");
    text += arg + "\n";
  }
  fd->reset(memfd_create("farm-exec-args", MFD_CLOEXEC));
  if (!fd->valid()) return Status::FromErrno("memfd_create", errno);
  if (Status s = WriteAll(fd->get(), text); !s.ok()) return s;
  *path = "/dev/fd/" + std::to_string(fd->get());
  return Status::Ok();
}

struct ExecArgs {
  std::vector<char*> run_args;  // for ParseRunOptions
  std::vector<std::string> command, arguments;
  bool has_arguments = false;  // ::: given
  bool stdout_output = false;
  std::string arg_file;
  bool help = false;
};

Status SplitArgs(std::span<char* const> args, ExecArgs* exec) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") return exec->help = true, Status::Ok();
    bool output = arg == "--output" || arg.starts_with("--output=");
    bool arg_file = arg == "-a" || arg == "--arg-file" || arg.starts_with("--arg-file=");
    if (output || arg_file) {
      size_t eq = arg.find('=');
      std::string_view value;
      if (eq != std::string_view::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::Error(std::string(arg) + " needs a value");
      }
      if (arg_file) {
        exec->arg_file = value;
      } else if (value == "stdout" || value == "json") {
        exec->stdout_output = value == "stdout";
      } else {  // --output FILE, as farm run takes it
        exec->run_args.push_back(const_cast<char*>("-o"));
        exec->run_args.push_back(args[i]);
      }
      continue;
    }
    // GNU parallel's -k.
    exec->run_args.push_back(arg == "-k" ? const_cast<char*>("--keep-order") : args[i]);
  }
  if (i == args.size()) return Status::Error("expected -- and then the command");
  for (++i; i < args.size(); ++i) {
    if (std::string_view(args[i]) == ":::" && !exec->has_arguments) {
      exec->has_arguments = true;
    } else {
      (exec->has_arguments ? exec->arguments : exec->command).emplace_back(args[i]);
    }
  }
  if (exec->has_arguments && !exec->arg_file.empty())
    return Status::Error("give arguments either after ::: or with -a FILE, not both");
  return Status::Ok();
}

}  // namespace

const char* ExecHelp() { return kHelp; }

ExitStatus ExecCommand(std::span<char* const> args) {
  ExecArgs exec;
  ExecTemplate command;
  Status status = SplitArgs(args, &exec);
  if (exec.help) return fputs(kHelp, stdout), kExitOk;
  if (status.ok()) status = ExecTemplate::Parse(exec.command, &command);
  Fd arguments;
  std::string input = exec.arg_file;
  if (status.ok() && exec.has_arguments) status = ArgumentsFile(exec.arguments, &arguments, &input);
  if (!status.ok()) {
    fprintf(stderr, "farm exec: %s\n%s", status.message().c_str(), kUsage);
    return kExitUsage;
  }
  if (!input.empty()) exec.run_args.push_back(input.data());
  RunOptions options;
  if (!ParseRunOptions(exec.run_args, &options)) return kExitUsage;
  options.allow_exec = true;  // farm exec is the decision to run commands
  options.exec = &command;
  if (exec.stdout_output) {
    options.echo = PrintJobOutput;
    if (options.output.empty()) options.output = "/dev/null";  // no -o: the job output only
  }
  return RunWithOptions(options);
}

}  // namespace farm
