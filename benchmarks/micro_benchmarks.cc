// Micro-benchmarks of what every task pays for: the wire format (encode and
// decode of a task and of a result), the line splitter, the worker's task
// parse, the fib kernels, and a row in --db.
//
//   build/farm_micro_benchmarks [--benchmark_filter=Wire]
#include <benchmark/benchmark.h>

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "common/line_splitter.h"
#include "common/result_line.h"
#include "common/wire.h"
#include "coordinator/db_writer.h"
#include "worker/fib.h"

namespace farm {
namespace {

constexpr std::string_view kTaskJson = R"({"type":"fib","n":20})";
constexpr std::string_view kResultJson =
    R"({"n":20,"digits":4,"head":"6765","tail":"6765"})";

// Coordinator side: one task message.
void BM_WireEncodeTask(benchmark::State& state) {
  std::string out;
  uint64_t seq = 0;
  for (auto _ : state) {
    out.clear();
    wire::AppendTask(++seq, 1, kTaskJson, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_WireEncodeTask);

// Worker side: parse the message and find its fields, as the worker loop does.
void BM_WireDecodeTask(benchmark::State& state) {
  std::string message;
  wire::AppendTask(17, 1, kTaskJson, &message);
  message.pop_back();  // the '\n'
  for (auto _ : state) {
    nlohmann::json parsed = nlohmann::json::parse(message, nullptr, false);
    benchmark::DoNotOptimize(parsed.find("task")->find("n")->get<int>());
  }
}
BENCHMARK(BM_WireDecodeTask);

// Worker side: the result line and the reply around it.
void BM_WireEncodeResult(benchmark::State& state) {
  std::string line, reply;
  for (auto _ : state) {
    line.clear();
    reply.clear();
    AppendSuccessLine({.id_json = "17", .type_json = "\"fib\"", .worker = 1, .elapsed_ms = 0.004},
                      kResultJson, &line);
    wire::AppendReply(17, true, line, &reply);
    benchmark::DoNotOptimize(reply.data());
  }
}
BENCHMARK(BM_WireEncodeResult);

// Coordinator side: frame and check a reply (its result line is validated).
void BM_WireDecodeResult(benchmark::State& state) {
  std::string line, reply;
  AppendSuccessLine({.id_json = "17", .type_json = "\"fib\"", .worker = 1, .elapsed_ms = 0.004},
                    kResultJson, &line);
  wire::AppendReply(17, true, line, &reply);
  reply.pop_back();
  for (auto _ : state) {
    wire::Reply decoded;
    benchmark::DoNotOptimize(wire::DecodeReply(reply, &decoded));
  }
}
BENCHMARK(BM_WireDecodeResult);

// Lines of a typical reply's length, fed in pipe-sized chunks.
void BM_LineSplitter(benchmark::State& state) {
  std::string line(static_cast<size_t>(state.range(0)), 'x');
  line.back() = '\n';
  std::string input;
  while (input.size() < (1 << 20)) input += line;
  const size_t chunk = 64 * 1024;
  for (auto _ : state) {
    LineSplitter splitter(wire::kMaxReplyLine);
    size_t lines = 0;
    std::string_view view;
    for (size_t at = 0; at < input.size(); at += chunk) {
      splitter.Feed(std::string_view(input).substr(at, chunk));
      while (splitter.Next(&view) == LineSplitter::Event::kLine) ++lines;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_LineSplitter)->Arg(150)->Arg(4096);

void BM_FibIterative(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(FibIterative(static_cast<uint64_t>(state.range(0))));
}
BENCHMARK(BM_FibIterative)->Arg(20)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

void BM_FibDoubling(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(FibDoubling(static_cast<uint64_t>(state.range(0))));
}
BENCHMARK(BM_FibDoubling)
    ->Arg(20)->Arg(100'000)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_SummarizeDecimal(benchmark::State& state) {
  mpz_class value = FibDoubling(static_cast<uint64_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(SummarizeDecimal(value));
}
BENCHMARK(BM_SummarizeDecimal)->Arg(20)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// The worker's parse of a task: farm's quick path, and nlohmann's.
void BM_ParseTask(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseJson(kTaskJson));
}
BENCHMARK(BM_ParseTask);

void BM_ParseTaskNlohmann(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(kTaskJson));
}
BENCHMARK(BM_ParseTaskNlohmann);

// --db: the writer thread's whole cost for a row of a tiny task, from the
// line to the committed row; a fresh database each iteration.
void BM_DbWriterRow(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  std::vector<std::string> lines(static_cast<size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    const std::string id = std::to_string(i + 1);
    AppendSuccessLine({.id_json = id, .type_json = R"("sleep")", .worker = i % 2},
                      R"({"ms":0})", &lines[static_cast<size_t>(i)]);
  }
  char dir[] = "/tmp/farm-bench-db-XXXXXX";
  if (mkdtemp(dir) == nullptr) return state.SkipWithError("mkdtemp");
  const std::string path = std::string(dir) + "/b.sqlite";
  for (auto _ : state) {
    DbWriter writer;
    if (!writer.Open(path, {.seed = 1, .command_line = "[]", .mode = "process", .workers = 2},
                     /*resume=*/false).ok())
      return state.SkipWithError("cannot open the database");
    for (const std::string& line : lines) writer.Add(line);
    if (!writer.Finish("{}").ok()) return state.SkipWithError("cannot write the database");
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
    state.ResumeTiming();
  }
  rmdir(dir);
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_DbWriterRow)->Arg(100'000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace farm

BENCHMARK_MAIN();
