#include "coordinator/bench_report.h"

#include <stdio.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double CpuSeconds(const ChildUsage& usage) { return usage.user_s + usage.sys_s; }

Status Finish(std::ofstream& out, const std::string& path) {
  out.close();
  if (!out) return Status::Error("cannot write " + path);
  return Status::Ok();
}

}  // namespace

std::vector<BenchRow> SummarizeRuns(const std::vector<BenchRun>& runs) {
  std::vector<BenchRow> rows;
  for (const BenchRun& run : runs) {
    auto same = [&](const BenchRow& row) { return row.mode == run.mode && row.workers == run.workers; };
    if (std::none_of(rows.begin(), rows.end(), same)) rows.push_back({run.mode, run.workers});
  }
  for (BenchRow& row : rows) {
    std::vector<double> walls, cpus;
    int tasks = 0;
    for (const BenchRun& run : runs) {
      if (run.mode != row.mode || run.workers != row.workers) continue;
      ++row.runs;
      if (run.usage.exit_code != 0) ++row.failed_runs;
      walls.push_back(run.usage.wall_s);
      cpus.push_back(CpuSeconds(run.usage));
      row.peak_rss_kb = std::max(row.peak_rss_kb, run.usage.peak_rss_kb);
      tasks = run.tasks;
    }
    row.median_wall_s = Median(walls);
    row.min_wall_s = *std::min_element(walls.begin(), walls.end());
    row.max_wall_s = *std::max_element(walls.begin(), walls.end());
    row.median_cpu_s = Median(cpus);
    row.tasks_per_s = row.median_wall_s > 0 ? tasks / row.median_wall_s : 0;
  }
  auto sequential = std::find_if(rows.begin(), rows.end(),
                                 [](const BenchRow& row) { return row.mode == "sequential"; });
  if (sequential != rows.end()) {
    double baseline = sequential->median_wall_s;
    for (BenchRow& row : rows) {
      row.speedup = row.median_wall_s > 0 ? baseline / row.median_wall_s : 0;
      row.efficiency = row.speedup / row.workers;
    }
  }
  return rows;
}

std::string FormatBenchTable(const std::string& title, const std::vector<BenchRow>& rows) {
  std::string text = title + "\n";
  char line[256];
  snprintf(line, sizeof line, "%-10s %7s %9s %-17s %8s %10s %11s %8s %9s\n", "mode", "workers",
           "wall s", "(min-max)", "speedup", "efficiency", "tasks/s", "CPU s", "peak RSS");
  text += line;
  for (const BenchRow& row : rows) {
    char range[32], speedup[16] = "-", efficiency[16] = "-";
    snprintf(range, sizeof range, "(%.3f-%.3f)", row.min_wall_s, row.max_wall_s);
    if (row.speedup > 0) {
      snprintf(speedup, sizeof speedup, "%.2fx", row.speedup);
      snprintf(efficiency, sizeof efficiency, "%.0f%%", row.efficiency * 100);
    }
    snprintf(line, sizeof line, "%-10s %7d %9.3f %-17s %8s %10s %11.1f %8.2f %6.1f MB%s\n",
             row.mode.c_str(), row.workers, row.median_wall_s, range, speedup, efficiency,
             row.tasks_per_s, row.median_cpu_s, row.peak_rss_kb / 1024.0,
             row.failed_runs ? "  (some runs failed)" : "");
    text += line;
  }
  return text;
}

Status WriteBenchCsv(const std::string& path, const std::string& task,
                     const std::vector<BenchRun>& runs) {
  std::ofstream out(path);
  out << "task,mode,workers,repeat,tasks,wall_s,user_s,sys_s,cpu_s,peak_rss_kb,tasks_per_s,"
         "exit_code\n";
  for (const BenchRun& run : runs) {
    char line[512];
    const ChildUsage& u = run.usage;
    snprintf(line, sizeof line, "%s,%s,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%ld,%.3f,%d\n", task.c_str(),
             run.mode.c_str(), run.workers, run.repeat, run.tasks, u.wall_s, u.user_s, u.sys_s,
             CpuSeconds(u), u.peak_rss_kb, u.wall_s > 0 ? run.tasks / u.wall_s : 0, u.exit_code);
    out << line;
  }
  return Finish(out, path);
}

Status WriteBenchJson(const std::string& path, const std::string& task,
                      const std::vector<BenchRun>& runs, const std::vector<BenchRow>& rows) {
  nlohmann::ordered_json json = {{"task", task}, {"runs", nlohmann::json::array()},
                                 {"summary", nlohmann::json::array()}};
  for (const BenchRun& run : runs) {
    const ChildUsage& u = run.usage;
    json["runs"].push_back(nlohmann::ordered_json{
        {"mode", run.mode}, {"workers", run.workers}, {"repeat", run.repeat},
        {"tasks", run.tasks}, {"wall_s", u.wall_s}, {"user_s", u.user_s}, {"sys_s", u.sys_s},
        {"cpu_s", CpuSeconds(u)}, {"peak_rss_kb", u.peak_rss_kb},
        {"tasks_per_s", u.wall_s > 0 ? run.tasks / u.wall_s : 0}, {"exit_code", u.exit_code}});
  }
  for (const BenchRow& row : rows) {
    nlohmann::ordered_json entry = {
        {"mode", row.mode}, {"workers", row.workers}, {"runs", row.runs},
        {"failed_runs", row.failed_runs}, {"median_wall_s", row.median_wall_s},
        {"min_wall_s", row.min_wall_s}, {"max_wall_s", row.max_wall_s},
        {"speedup", nullptr}, {"efficiency", nullptr}, {"tasks_per_s", row.tasks_per_s},
        {"median_cpu_s", row.median_cpu_s}, {"peak_rss_kb", row.peak_rss_kb}};
    if (row.speedup > 0) entry["speedup"] = row.speedup, entry["efficiency"] = row.efficiency;
    json["summary"].push_back(entry);
  }
  std::ofstream out(path);
  out << json.dump(2) << "\n";
  return Finish(out, path);
}

}  // namespace farm
