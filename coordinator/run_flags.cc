#include "coordinator/run_flags.h"

#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "common/rng.h"
#include "coordinator/robots.h"
#include "coordinator/run.h"
#include "coordinator/version.h"

namespace farm {
namespace {

constexpr int kMaxWorkers = 1024;
constexpr Mode kModes[] = {Mode::kProcess, Mode::kThread, Mode::kSequential, Mode::kMpi};

// "process|thread|sequential|mpi": --mode's value in the help and its parser.
const std::string& ModeChoices() {
  static const std::string choices = [] {
    std::string text;
    for (Mode mode : kModes) text += (text.empty() ? "" : "|") + std::string(ModeName(mode));
    return text;
  }();
  return choices;
}

Status ParseDelay(std::string_view text, RunOptions* options) {
  size_t colon = text.find(':');
  std::string_view min = text.substr(0, colon);
  std::string_view max = colon == std::string_view::npos ? min : text.substr(colon + 1);
  int64_t lo, hi;
  if (Status s = ParseInt("--delay MIN", min, 0, 3'600'000, &lo); !s.ok()) return s;
  if (Status s = ParseInt("--delay MAX", max, lo, 3'600'000, &hi); !s.ok()) return s;
  options->politeness.delay_min_ms = static_cast<int>(lo);
  options->politeness.delay_max_ms = static_cast<int>(hi);
  return Status::Ok();
}

// --header "Name: value", as curl -H takes it.
Status AddHeader(std::string_view header, FetchSettings* fetch) {
  size_t colon = header.find(':');
  std::string_view name = header.substr(0, colon);
  bool name_ok = colon != std::string_view::npos && !name.empty() &&
                 std::all_of(name.begin(), name.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                 });
  if (!name_ok)
    return Status::Error("--header: expected \"Name: value\", got '" + std::string(header) + "'");
  if (header.find_first_of("\r\n") != std::string_view::npos)
    return Status::Error("--header: a header is one line");
  fetch->headers.emplace_back(header);
  return Status::Ok();
}

// A thread can't be killed, limited or replaced on its own: the options that
// need that are refused outside process mode rather than silently ignored.
Status CheckInProcessOptions(const RunOptions& options) {
  const char* flag = options.task_timeout_s             ? "--task-timeout"
                     : options.memory_limit_mb > 0      ? "--memory-limit"
                     : options.max_tasks_per_worker > 0 ? "--max-tasks-per-worker"
                                                        : nullptr;
  if (flag == nullptr) return Status::Ok();
  return Status::Error(std::string(flag) + " needs --mode process (a " +
                       (options.mode == Mode::kThread ? "thread" : "sequential run") +
                       " cannot be killed or replaced)");
}

std::function<Status(std::string_view)> SetTrue(bool* target) {
  return [target](std::string_view) { return *target = true, Status::Ok(); };
}

std::string Default(const std::string& value) { return " (default: " + value + ")"; }

}  // namespace

void SetRunDefaults(RunOptions* o) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  o->workers = cpus > 0 ? static_cast<int>(std::min<long>(cpus, kMaxWorkers)) : 1;
  o->progress = isatty(STDERR_FILENO);
  o->seed = SeedFromOs();  // --seed replaces it
}

FlagSection SharedRunFlags(RunOptions* o) {
  const RunOptions defaults;
  return {
      "options",
      {
          {"--workers", 'j', "N", "workers: processes, or threads (default: the online CPUs)",
           IntInto("--workers", 1, kMaxWorkers, &o->workers)},
          {"--mode", 0, ModeChoices(),
           "process: forked workers, over pipes; thread: threads in farm; sequential: one task "
           "at a time; mpi: workers on every rank of mpirun -n R farm run --mode mpi" +
               Default(ModeName(defaults.mode)),
           ChoiceInto("--mode", ModeChoices(), [o](size_t i) { o->mode = kModes[i]; })},
          {"--seed", 0, "S",
           "master seed, an unsigned 64-bit integer (default: from the OS; the summary says it)",
           [o](std::string_view v) { return ParseUint64("--seed", v, &o->seed); }},
          {"--keep-order", 'k', "", "results in input order (default: as they finish)",
           SetTrue(&o->keep_order)},
          {"--retries", 0, "R",
           "re-runs of a task whose worker died or timed out" +
               Default(std::to_string(defaults.retries)),
           IntInto("--retries", 0, 1000, &o->retries)},
          {"--task-timeout", 0, "SEC",
           "wall-clock limit per task; its worker is killed and replaced (default: none)",
           [o](std::string_view v) {
             double seconds;
             Status s = ParseDouble("--task-timeout", v, 0.001, &seconds);
             if (s.ok()) o->task_timeout_s = seconds;
             return s;
           }},
          {"--resume", 0, "",
           "with -o FILE: skip the tasks FILE has ok and append the rest; with --db FILE: the "
           "same, continuing its newest run",
           SetTrue(&o->resume)},
          {"--max-tasks-per-worker", 0, "K", "replace a worker after K tasks (default: never)",
           IntInto("--max-tasks-per-worker", 1, 1'000'000'000, &o->max_tasks_per_worker)},
          {"--memory-limit", 0, "MB", "address-space limit of each worker (default: none)",
           IntInto("--memory-limit", 1, 1 << 24, &o->memory_limit_mb)},
          {"--progress", 0, "",
           "a progress line on stderr: done/total, rate, ETA (default: when stderr is a "
           "terminal)",
           SetTrue(&o->progress)},
          {"--no-progress", 0, "", "no progress line",
           [o](std::string_view) { return o->progress = false, Status::Ok(); }},
          {"--summary-json", 0, "FILE",
           "also write the run's summary there, as one JSON object (-: stdout, after the "
           "results if they go there too)",
           PathInto("--summary-json", &o->summary_json)},
          {"--halt", 0, "WHEN,COND",
           "stop early: WHEN is now or soon, COND fail=N, fail=P%, success=N or success=P%",
           [o](std::string_view v) { return HaltPolicy::Parse(v, &o->halt); }},
          {"--db", 0, "FILE", "also write every result into this SQLite database",
           PathInto("--db", &o->db)},
      },
  };
}

FlagSection FetchFlags(RunOptions* o) {
  const FetchSettings defaults;
  const PolitenessOptions polite;
  return {
      "fetch tasks",
      {
          {"--out-dir", 0, "DIR", "where bodies are saved" + Default(defaults.out_dir),
           PathInto("--out-dir", &o->fetch.out_dir)},
          {"--concurrency", 0, "K",
           "transfers in flight at once in each worker" +
               Default(std::to_string(defaults.concurrency)),
           IntInto("--concurrency", 1, 1000, &o->fetch.concurrency)},
          {"--delay", 0, "MIN:MAX",
           "milliseconds between the starts of two requests to one host, drawn at random, for "
           "the whole run (default: 0:0)",
           [o](std::string_view v) { return ParseDelay(v, o); }},
          {"--max-per-host", 0, "N",
           "requests in flight to one host, across all workers (default: unlimited; farm "
           "crawl's: " + std::to_string(kCrawlMaxPerHost) + ")",
           IntInto("--max-per-host", 1, 1000, &o->politeness.max_per_host)},
          {"--fetch-retries", 0, "K",
           "re-tries of a 5xx, 429, reset or timeout, after a growing pause or Retry-After" +
               Default(std::to_string(polite.fetch_retries)),
           IntInto("--fetch-retries", 0, 100, &o->politeness.fetch_retries)},
          {"--user-agent", 0, "UA",
           "the User-Agent of every request" + Default(DefaultUserAgent()),
           [o](std::string_view v) { return o->fetch.user_agent = v, Status::Ok(); }},
          {"--header", 0, "NAME:VALUE", "a header for every request, as curl -H; repeatable",
           [o](std::string_view v) { return AddHeader(v, &o->fetch); }},
          {"--robots", 0, "respect|ignore",
           "read each host's robots.txt first and obey it (default: ignore; farm crawl's: "
           "respect)",
           ChoiceInto("--robots", "respect|ignore",
                      [o](size_t i) { o->politeness.robots = i == 0; })},
      },
  };
}

std::vector<FlagSection> RunFlags(RunOptions* o) {
  FlagSection own = {
      "input and output",
      {
          {"--output", 'o', "FILE", "result lines go there (default: stdout)",
           PathInto("--output", &o->output)},
          {"--urls", 0, "FILE", "plain URLs, one a line, as fetch tasks (ids: line numbers)",
           PathInto("--urls", &o->urls)},
          {"--allow-exec", 0, "", "let exec tasks run their commands (a task file is data)",
           SetTrue(&o->allow_exec)},
      },
  };
  return {std::move(own), SharedRunFlags(o), FetchFlags(o)};
}

Status CheckRunOptions(RunOptions* o) {
  FinishFetchOptions(o);
  if (o->output == "-") o->output.clear();  // standard output
  if (o->resume && o->output.empty() && o->db.empty())
    return Status::Error("--resume needs --output FILE or --db FILE");
  if (o->mode != Mode::kProcess && o->mode != Mode::kMpi) return CheckInProcessOptions(*o);
  return Status::Ok();
}

bool ParseRunOptions(std::span<char* const> args, RunOptions* o) {
  SetRunDefaults(o);
  o->arguments.assign(args.begin(), args.end());
  std::vector<std::string> positional;
  Status status = ParseFlags(args, AllFlags(RunFlags(o)), &positional);
  if (status.ok() && positional.size() > 1)
    status =
        Status::Error("expected at most one input file, got " + std::to_string(positional.size()));
  if (status.ok() && !positional.empty()) {
    if (!o->urls.empty())
      status = Status::Error("give either --urls FILE or a task FILE, not both");
    if (positional[0].empty()) status = Status::Error("expected a task FILE, got ''");
    o->input = positional[0];
  }
  if (status.ok()) status = CheckRunOptions(o);
  if (!status.ok()) {
    fprintf(stderr, "farm run: %s\nusage: %.*s   (farm help run for more)\n",
            status.message().c_str(), static_cast<int>(kRunUsage.size()), kRunUsage.data());
    return false;
  }
  return true;
}

void FinishFetchOptions(RunOptions* options) {
  if (options->fetch.user_agent.empty()) options->fetch.user_agent = DefaultUserAgent();
  options->politeness.robots_token = RobotsProductToken(options->fetch.user_agent);
}

HelpPage RunHelp() {
  auto options = std::make_shared<RunOptions>();
  return {
      .usage = {std::string(kRunUsage)},
      .about = {"Runs the tasks of FILE (JSON lines, one task a line; '-' or none: stdin) on a "
                "pool of workers, and writes one JSON result line per task, whatever happens to "
                "it. Every task type, its fields and their limits: farm help tasks."},
      .sections = RunFlags(options.get()),
      .examples =
          {
              {"farm gen fib --n 1000000 --count 8 | farm run -j 4 -o results.jsonl",
               "eight big Fibonacci numbers on four worker processes"},
              {"farm run --resume -o results.jsonl --task-timeout 60 tasks.jsonl",
               "after a crash or Ctrl-C: run only what results.jsonl lacks"},
              {"farm run --urls urls.txt --concurrency 16 --max-per-host 2 --out-dir pages",
               "download every URL of urls.txt, politely"},
          },
      .state = options,
  };
}

}  // namespace farm
