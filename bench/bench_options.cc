#include "bench/bench_options.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>

#include "coordinator/flags.h"
#include "coordinator/task_flags.h"
#include "worker/registry.h"

namespace farm {
namespace {

constexpr const char* kUsageMore =
    "       FILE: your own batch of task lines; without it, a batch of --task TYPE\n"
    "       with the type's fields as farm gen takes them   (farm help bench for more)\n";

constexpr Mode kModes[] = {Mode::kSequential, Mode::kThread, Mode::kProcess};

Status ParseList(std::string_view text, std::vector<std::string>* items) {
  items->clear();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (item.empty()) return Status::Error("empty item in list");
    items->emplace_back(item);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  if (items->empty()) return Status::Error("empty list");
  return Status::Ok();
}

Status ParseWorkers(std::string_view text, std::vector<int>* workers) {
  std::vector<std::string> items;
  if (Status s = ParseList(text, &items); !s.ok()) return Status::Error("--workers: " + s.message());
  workers->clear();
  for (const std::string& item : items) {
    int64_t count;
    if (Status s = ParseInt("--workers", item, 1, 1024, &count); !s.ok()) return s;
    workers->push_back(static_cast<int>(count));
  }
  return Status::Ok();
}

Status ParseModes(std::string_view text, std::vector<Mode>* modes) {
  std::vector<std::string> items;
  if (Status s = ParseList(text, &items); !s.ok()) return Status::Error("--modes: " + s.message());
  modes->clear();
  for (const std::string& item : items) {
    auto named = [&](Mode mode) { return item == ModeName(mode); };
    const Mode* mode = std::find_if(std::begin(kModes), std::end(kModes), named);
    if (mode == std::end(kModes)) {
      std::string expected;  // "a, b or c"
      for (size_t i = 0; i < std::size(kModes); ++i)
        expected += (i == 0 ? "" : i + 1 == std::size(kModes) ? " or " : ", ") +
                    std::string(ModeName(kModes[i]));
      return Status::Error("--modes: expected " + expected + ", got '" + item + "'");
    }
    modes->push_back(*mode);
  }
  return Status::Ok();
}

// 1, 2, 4, ... up to the online CPUs, and the CPU count itself.
std::vector<int> DefaultWorkers() {
  long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<int> workers;
  for (long w = 1; w <= cpus; w *= 2) workers.push_back(static_cast<int>(w));
  if (workers.back() != cpus) workers.push_back(static_cast<int>(cpus));
  return workers;
}

// An export is written after every run is done: refuse, before the first,
// a path that could not be written then. Nothing is created here.
Status CheckWritable(std::string_view flag, const std::string& path) {
  const std::string what(flag);
  if (path.empty()) return Status::Error(what + ": empty path");
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Error(what + ": " + path + " is a directory");
    if (access(path.c_str(), W_OK) != 0)
      return Status::FromErrno(what + ": cannot write " + path, errno);
    return Status::Ok();
  }
  if (errno != ENOENT) return Status::FromErrno(what + ": " + path, errno);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return Status::FromErrno(what + ": cannot create " + path, errno);
  return Status::Ok();
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ignored;
  return a == b || std::filesystem::equivalent(a, b, ignored);
}

// The batch readable (its lines counted: they are the tasks), each export
// writable, and no file named twice, by name or by inode.
Status CheckFiles(BenchOptions* o) {
  std::vector<std::pair<std::string, const std::string*>> files;  // (flag, path)
  if (!o->file.empty()) {
    std::ifstream in(o->file, std::ios::binary);
    if (!in) return Status::FromErrno("cannot read " + o->file, errno);
    int64_t lines = 0;
    char last = '\n';
    for (std::string chunk(1 << 16, '\0'); in.read(chunk.data(), chunk.size()) || in.gcount();) {
      auto end = chunk.begin() + in.gcount();
      lines += std::count(chunk.begin(), end, '\n');
      last = *(end - 1);
    }
    o->tasks = static_cast<int>(std::min<int64_t>(lines + (last != '\n'), INT_MAX));
    if (o->tasks == 0) return Status::Error(o->file + " holds no tasks");
    files.emplace_back("FILE", &o->file);
  }
  if (o->csv) files.emplace_back("--csv", &*o->csv);
  if (o->json) files.emplace_back("--json", &*o->json);
  if (o->markdown) files.emplace_back("--export-markdown", &*o->markdown);
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [flag, path] = files[i];
    if (flag != "FILE")
      if (Status s = CheckWritable(flag, *path); !s.ok()) return s;
    for (size_t j = 0; j < i; ++j)
      if (SameFile(*path, *files[j].second))
        return Status::Error(flag + " and " + files[j].first + " name the same file, " + *path);
  }
  return Status::Ok();
}

// What a generated batch of a type runs when its fields are not given, and
// how many tasks: about a few seconds of work; a type not listed takes the
// registry's defaults and examples.
struct Preset {
  std::string_view type;
  const char* fields;
  int tasks;
};
constexpr int kDefaultTasks = 8;  // of a type without a preset
constexpr Preset kPresets[] = {
    {"fib", R"({"n":1000000,"method":"iterative"})", 8},
    {"pi", R"({"samples":10000000})", 8},
    {"sleep", R"({"ms":100})", 40},
    {"fetch", R"({"save":false})", 8},
};

const Preset* PresetOf(std::string_view type) {
  for (const Preset& preset : kPresets)
    if (preset.type == type) return &preset;
  return nullptr;
}

// The --task value among the arguments (the type decides which field flags
// there are), "fib" if none; the flag parser checks the rest.
std::string TaskTypeIn(std::span<char* const> args) {
  std::string type = "fib";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") break;
    if (arg == "--task" && i + 1 < args.size()) type = args[i + 1];
    if (arg.starts_with("--task=")) type = arg.substr(7);
  }
  return type;
}

// "sequential,thread,process": --modes' value in the help, and its default.
const std::string& ModeList() {
  static const std::string list = [] {
    std::string text;
    for (Mode mode : kModes) text += (text.empty() ? "" : ",") + std::string(ModeName(mode));
    return text;
  }();
  return list;
}

// "8; sleep: 40": --tasks' default, from the presets.
std::string DefaultTasks() {
  std::string text = std::to_string(kDefaultTasks);
  for (const Preset& preset : kPresets)
    if (preset.tasks != kDefaultTasks)
      text += "; " + std::string(preset.type) + ": " + std::to_string(preset.tasks);
  return text;
}

// bench's own flags. *task_flags notes that one of a generated batch's was
// given (--task, --tasks), which a FILE excludes.
FlagSection BenchFlags(BenchOptions* o, bool* task_flags) {
  auto task_flag = [task_flags](std::function<Status(std::string_view)> apply) {
    return [task_flags, apply](std::string_view v) { return *task_flags = true, apply(v); };
  };
  auto path_into = [](std::optional<std::string>* target) {
    return [target](std::string_view v) { return target->emplace(v), Status::Ok(); };
  };
  const BenchOptions defaults;
  return {
      "options",
      {
          {"--task", 0, "TYPE", "the type of a generated batch: any task type (default: fib)",
           task_flag([](std::string_view) { return Status::Ok(); })},
          {"--tasks", 0, "T", "tasks in a generated batch (default: " + DefaultTasks() + ")",
           task_flag(IntInto("--tasks", 1, 100'000'000, &o->tasks))},
          {"--workers", 'j', "N,N,...",
           "worker counts to compare (default: 1, 2, 4... up to the online CPUs)",
           [o](std::string_view v) { return ParseWorkers(v, &o->workers); }},
          {"--modes", 0, ModeList(), "modes to compare (default: all three)",
           [o](std::string_view v) { return ParseModes(v, &o->modes); }},
          {"--repeat", 0, "R",
           "measured runs of each configuration (default: " + std::to_string(defaults.repeat) + ")",
           IntInto("--repeat", 1, 1000, &o->repeat)},
          {"--warmup", 0, "N",
           "unmeasured runs of each configuration first (default: " +
               std::to_string(defaults.warmup) + ")",
           IntInto("--warmup", 0, 100, &o->warmup)},
          {"--seed", 0, "S",
           "master seed of every run (default: " + std::to_string(defaults.seed) + ")",
           [o](std::string_view v) { return ParseUint64("--seed", v, &o->seed); }},
          {"--csv", 0, "FILE", "every run as a CSV row", path_into(&o->csv)},
          {"--json", 0, "FILE", "every run, and the table, as JSON", path_into(&o->json)},
          {"--export-markdown", 0, "FILE", "the table as Markdown", path_into(&o->markdown)},
      },
  };
}

}  // namespace

bool ParseBenchOptions(std::span<char* const> args, BenchOptions* o) {
  o->task = TaskTypeIn(args);
  const TaskType* type = FindTaskType(o->task);
  if (type == nullptr) {
    fprintf(stderr, "farm bench: --task: %s\nusage: %.*s\n%s",
            UnknownTaskTypeMessage(o->task).c_str(), static_cast<int>(kBenchUsage.size()),
            kBenchUsage.data(), kUsageMore);
    return false;
  }
  TaskFieldFlags fields(*type);
  bool task_flags = false;  // --task or --tasks given
  std::vector<Flag> flags = BenchFlags(o, &task_flags).flags;
  flags.insert(flags.end(), fields.flags().begin(), fields.flags().end());
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags, &positional);
  if (status.ok() && positional.size() > 1)
    status = Status::Error("expected at most one batch FILE, got '" + positional[1] + "' too");
  if (status.ok() && positional.size() == 1) o->file = positional[0];
  if (status.ok() && o->file == "-")
    status = Status::Error("FILE: give a file; every run reads it anew, so not stdin");
  const Preset* preset = PresetOf(o->task);
  if (status.ok() && !o->file.empty() && (task_flags || fields.any_given()))
    status = Status::Error("give FILE or --task and its fields, not both");
  if (status.ok() && o->file.empty())
    status = fields.Build(preset ? nlohmann::json::parse(preset->fields) : nlohmann::json::object(),
                          &o->task_line);
  if (status.ok()) status = CheckFiles(o);
  if (!status.ok()) {
    fprintf(stderr, "farm bench: %s\nusage: %.*s\n%s", status.message().c_str(),
            static_cast<int>(kBenchUsage.size()), kBenchUsage.data(), kUsageMore);
    return false;
  }
  if (o->workers.empty()) o->workers = DefaultWorkers();
  if (o->tasks == 0) o->tasks = preset ? preset->tasks : kDefaultTasks;
  return true;
}

HelpPage BenchHelp() {
  struct State {
    BenchOptions options;
    bool task_flags = false;
  };
  auto state = std::make_shared<State>();
  std::string fields;
  for (const TaskType& type : TaskTypes())
    fields += TwoColumns("  " + std::string(type.name), TaskFlagsSynopsis(type), 10);
  return {
      .usage = {std::string(kBenchUsage)},
      .about = {"Runs one batch in each mode and worker count, R times each, every run a child "
                "farm run, interleaved; prints a table: median wall time (min-max), mean and "
                "standard deviation, speedup against sequential, efficiency, tasks/s, CPU "
                "seconds, peak RSS; and warns when runs vary a lot.",
                "FILE is your own batch of task lines; without it, a batch of --tasks tasks of "
                "--task TYPE is made, with the type's fields as farm gen takes them (farm help "
                "gen)."},
      .sections = {BenchFlags(&state->options, &state->task_flags)},
      .notes = {{"the fields of each --task TYPE", fields}},
      .examples =
          {
              {"farm bench --task fib --n 1000000 --workers 1,2,4 --csv bench.csv",
               "how F(1,000,000) scales with workers in each mode"},
              {"farm bench --warmup 1 --repeat 5 --export-markdown bench.md tasks.jsonl",
               "your own batch, five measured runs of each configuration"},
              {"farm bench --task sleep --ms 50 --tasks 100 --modes thread,process",
               "I/O-like waits: threads against processes"},
          },
      .state = state,
  };
}

}  // namespace farm
