#include "coordinator/exec_command.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "coordinator/exec_template.h"
#include "coordinator/run.h"
#include "coordinator/run_flags.h"
#include "coordinator/signals.h"
#include "worker/registry.h"

namespace farm {
namespace {

struct ExecArgs {
  std::vector<std::string> command, arguments;
  bool has_arguments = false;  // ::: given
  bool stdout_output = false;  // --output stdout
  std::string arg_file;
};

// farm exec's own flags, beside the ones it shares with farm run.
FlagSection ExecFlags(ExecArgs* exec, RunOptions* o) {
  return {
      "input and output",
      {
          {"--output", 'o', "json|stdout|FILE",
           "json: farm's JSON result lines, on stdout (the default); stdout: each job's stdout "
           "whole as it ends, its stderr to stderr (a job with more than 1 MiB of either is "
           "cut, said and failed); FILE: the JSON lines go to FILE (give --output stdout -o "
           "FILE for both)",
           [exec, o](std::string_view v) {
             if (v != "json" && v != "stdout") return PathInto("--output", &o->output)(v);
             return exec->stdout_output = v == "stdout", Status::Ok();
           }},
          {"--arg-file", 'a', "FILE", "the arguments, one a line (default: stdin)",
           PathInto("--arg-file", &exec->arg_file)},
      },
  };
}

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

// Writes all of `text` to `fd`: 0, or the errno of the write that failed.
int WriteText(int fd, std::string_view text) {
  // A reader that does not read must not keep Ctrl-C out: the first lets the
  // jobs in flight finish, the second gives up on the reader (EINTR).
  StopSignalsLetIn let_in;
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR && StopSignals::count() < 2) continue;
    if (n < 0) return errno;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

std::string IdOf(const nlohmann::json& parsed) {
  return parsed.value("id", nlohmann::json()).dump();
}

// A job's output that the result holds only the start of: printed, it would
// pass for the whole.
void SayCut(const nlohmann::json& parsed, const nlohmann::json& result, const std::string& key) {
  static const int64_t kKept = TaskFieldOf("exec", "max_output_bytes").default_integer;
  fprintf(stderr,
          "farm exec: task %s: its %s was cut at %lld bytes, of %llu (farm exec keeps at most "
          "max_output_bytes of a job's output), so the job counts as failed; to keep it all, "
          "have the command write it to a file\n",
          IdOf(parsed).c_str(), key.c_str(), static_cast<long long>(kKept),
          static_cast<unsigned long long>(result.value(key + "_bytes", uint64_t{0})));
}

// farm exec --output stdout: a job's stdout whole to stdout, its stderr to
// stderr; for a job that has no output (it never ran), the error. Output the
// result holds only the start of is said, and the job counts as failed; a
// failed write to stdout ends the run.
Echoed PrintJobOutput(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return {};
  auto result = parsed.find("result");
  if (result == parsed.end() || !result->is_object() || !result->contains("stdout")) {
    if (auto error = parsed.find("error"); error != parsed.end() && error->is_object())
      fprintf(stderr, "farm exec: task %s: %s\n", IdOf(parsed).c_str(),
              error->value("message", "").c_str());
    return {};
  }
  Echoed echoed;
  for (auto [key, fd] : {std::pair{"stdout", STDOUT_FILENO}, std::pair{"stderr", STDERR_FILENO}}) {
    std::string text = result->value(key, "");
    if (result->value(std::string(key) + "_encoding", "utf-8") == "base64")
      text = DecodeBase64(text);
    // Standard error is for people: as for farm's own messages there, a
    // failed write is let go.
    if (int error = WriteText(fd, text); error != 0 && fd == STDOUT_FILENO) {
      echoed.write_errno = error;
      return echoed;
    }
  }
  for (std::string key : {"stdout", "stderr"}) {
    if (!result->value(key + "_truncated", false)) continue;
    SayCut(parsed, *result, key);
    echoed.whole = false;
  }
  return echoed;
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

// GNU parallel's other input separators. farm takes one list, after the
// first ":::"; any other would become an argument of the command (`rm :::`).
Status CheckNotASeparator(std::string_view word) {
  if (word == ":::" || word == ":::+")
    return Status::Error(
        "several ::: lists (combined, or linked by :::+) are not supported: farm has no {1} {2}. "
        "Write each combination as one line, give the lines on stdin or with -a FILE, and take "
        "a line apart in the command: -- sh -c 'set -- $1; CMD \"$1\" \"$2\"' sh {}");
  if (word == "::::" || word == "::::+")
    return Status::Error("arguments from a file with :::: are not supported: give it with -a FILE");
  return Status::Ok();
}

// The words after "--": the command, and the arguments after ":::".
Status SplitCommand(std::span<char* const> words, ExecArgs* exec) {
  for (std::string_view word : words) {
    if (word == ":::" && !exec->has_arguments) {
      exec->has_arguments = true;
    } else if (Status s = CheckNotASeparator(word); !s.ok()) {
      return s;
    } else {
      (exec->has_arguments ? exec->arguments : exec->command).emplace_back(word);
    }
  }
  if (exec->has_arguments && !exec->arg_file.empty())
    return Status::Error("give arguments either after ::: or with -a FILE, not both");
  return Status::Ok();
}

// Everything before "--" is flags, farm run's shared ones and exec's own.
Status ParseExecArgs(std::span<char* const> args, ExecArgs* exec, RunOptions* options) {
  auto dashes = std::find_if(args.begin(), args.end(),
                             [](const char* arg) { return std::string_view(arg) == "--"; });
  if (dashes == args.end()) return Status::Error("expected -- and then the command");
  SetRunDefaults(options);
  options->command = "exec";
  options->arguments.assign(args.begin(), args.end());
  const FlagSection sections[] = {ExecFlags(exec, options), SharedRunFlags(options)};
  std::vector<std::string> positional;
  std::span<char* const> flags(args.begin(), dashes);
  if (Status s = ParseFlags(flags, AllFlags(sections), &positional); !s.ok()) return s;
  if (!positional.empty())
    return Status::Error("unexpected argument '" + positional[0] + "' (the command goes after --)");
  if (Status s = SplitCommand({dashes + 1, args.end()}, exec); !s.ok()) return s;
  if (exec->stdout_output && StandardFdWasClosed(STDOUT_FILENO))  // it would go nowhere
    return Status::Error("standard output is closed: the jobs' output has nowhere to go");
  return CheckRunOptions(options);
}

}  // namespace

ExitStatus ExecCommand(std::span<char* const> args) {
  ExecArgs exec;
  ExecTemplate command;
  RunOptions options;
  Status status = ParseExecArgs(args, &exec, &options);
  if (status.ok()) status = ExecTemplate::Parse(exec.command, &command);
  Fd arguments;
  if (status.ok() && exec.has_arguments)
    status = ArgumentsFile(exec.arguments, &arguments, &exec.arg_file);
  if (!status.ok()) {
    fprintf(stderr, "farm exec: %s\nusage: %.*s   (farm help exec for more)\n",
            status.message().c_str(), static_cast<int>(kExecUsage.size()), kExecUsage.data());
    return kExitUsage;
  }
  if (!exec.arg_file.empty()) options.input = exec.arg_file;
  options.allow_exec = true;  // farm exec is the decision to run commands
  options.exec = &command;
  if (exec.stdout_output) {
    options.echo = PrintJobOutput;
    if (options.output.empty()) options.output = "/dev/null";  // no -o: the job output only
  }
  return RunWithOptions(options);
}

HelpPage ExecHelp() {
  struct State {
    ExecArgs exec;
    RunOptions options;
  };
  auto state = std::make_shared<State>();
  return {
      .usage = {std::string(kExecUsage), "farm exec [OPTIONS] -a FILE -- CMD ARGS..."},
      .about = {"Runs CMD once per argument: per line of stdin, of FILE (-a), or per ARG after "
                ":::. The jobs run on a pool of workers, as farm run runs exec tasks, each with "
                "one JSON result line: its exit status and output. CMD runs directly, never "
                "through a shell; each argument goes into ARGS by GNU parallel's replacement "
                "strings, listed below (with none, {} is appended)."},
      .sections = {ExecFlags(&state->exec, &state->options), SharedRunFlags(&state->options)},
      .notes = {{"replacement strings",
                 "  {}    the argument\n"
                 "  {.}   the argument without its extension\n"
                 "  {/}   its basename\n"
                 "  {//}  its directory\n"
                 "  {/.}  its basename without its extension\n"
                 "  {#}   its line number (the task id)\n"
                 "  {%}   the worker's slot, 1..-j\n"
                 "Want a shell? Ask for it: farm exec -- sh -c 'zcat \"$1\" | wc -l' sh {}\n"}},
      .examples =
          {
              {"ls *.txt | farm exec -j 8 -- gzip -9 -k {}", "compress each file, 8 at a time"},
              {"farm exec --output stdout -k -- echo {#}: {/.} ::: a/x.jpg b/y.jpg",
               "each job's output, in the order of the arguments"},
              {"farm exec -o log.jsonl --resume -a files.txt -- convert {} {.}.png",
               "convert the files listed in files.txt; run again, it skips the ones done"},
          },
      .state = state,
  };
}

}  // namespace farm
