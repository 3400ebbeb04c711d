#include "bench/bench_report.h"

#include <stdio.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

constexpr double kVariesALot = 0.10;  // σ / mean beyond which a warning is due
// Runs this close to the median are never outliers, however tight the rest:
// a MAD of microseconds would otherwise flag noise.
constexpr double kNegligible = 0.05;

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

double SampleStdDev(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double mean = Mean(values), squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double CpuSeconds(const ChildUsage& usage) { return usage.user_s + usage.sys_s; }

// printf pads by bytes; "±" and "σ" take two bytes but one column.
std::string PadRight(const std::string& text, size_t width) {
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  return columns >= width ? text : text + std::string(width - columns, ' ');
}

std::string MeanAndSigma(const BenchRow& row) {
  char text[64];
  snprintf(text, sizeof text, "%.3f \xc2\xb1 %.3f", row.mean_wall_s, row.stddev_wall_s);
  return text;
}

Status Finish(std::ofstream& out, const std::string& path) {
  out.close();
  if (!out) return Status::Error("cannot write " + path);
  return Status::Ok();
}

}  // namespace

int CountOutliers(const std::vector<double>& values) {
  if (values.size() < 3) return 0;
  double median = Median(values);
  std::vector<double> deviations;
  for (double v : values) deviations.push_back(std::fabs(v - median));
  double mad = Median(deviations);  // 0 when most runs are equal: then any far one is out
  return static_cast<int>(std::count_if(values.begin(), values.end(), [&](double v) {
    double deviation = std::fabs(v - median);
    return deviation > kNegligible * median && (mad <= 0 || 0.6745 * deviation / mad > 3.5);
  }));
}

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
    row.mean_wall_s = Mean(walls);
    row.stddev_wall_s = SampleStdDev(walls);
    row.outliers = CountOutliers(walls);
    row.median_cpu_s = Median(cpus);
    row.tasks_per_s = row.median_wall_s > 0 ? tasks / row.median_wall_s : 0;
  }
  auto sequential = std::find_if(rows.begin(), rows.end(),
                                 [](const BenchRow& row) { return row.mode == Mode::kSequential; });
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
  char line[320];
  snprintf(line, sizeof line, "%-10s %7s %9s  %s %-17s %8s %10s %11s %8s %9s\n", "mode",
           "workers", "median s", PadRight("mean \xc2\xb1 \xcf\x83", 17).c_str(), "(min-max)",
           "speedup", "efficiency", "tasks/s", "CPU s", "peak RSS");
  text += line;
  for (const BenchRow& row : rows) {
    char range[48], speedup[16] = "-", efficiency[16] = "-";
    snprintf(range, sizeof range, "(%.3f-%.3f)", row.min_wall_s, row.max_wall_s);
    if (row.speedup > 0) {
      snprintf(speedup, sizeof speedup, "%.2fx", row.speedup);
      snprintf(efficiency, sizeof efficiency, "%.0f%%", row.efficiency * 100);
    }
    snprintf(line, sizeof line, "%-10s %7d %9.3f  %s %-17s %8s %10s %11.1f %8.2f %6.1f MB%s\n",
             ModeName(row.mode), row.workers, row.median_wall_s,
             PadRight(MeanAndSigma(row), 17).c_str(), range, speedup, efficiency,
             row.tasks_per_s, row.median_cpu_s, row.peak_rss_kb / 1024.0,
             row.failed_runs ? "  (some runs failed)" : "");
    text += line;
  }
  return text;
}

std::vector<std::string> BenchWarnings(const std::vector<BenchRow>& rows) {
  std::vector<std::string> warnings;
  for (const BenchRow& row : rows) {
    std::string name = std::string(ModeName(row.mode)) + " -j " + std::to_string(row.workers);
    char text[256];
    if (row.mean_wall_s > 0 && row.stddev_wall_s / row.mean_wall_s > kVariesALot) {
      snprintf(text, sizeof text, "%s: runs vary a lot (\xcf\x83 is %.0f%% of the mean)",
               name.c_str(), 100 * row.stddev_wall_s / row.mean_wall_s);
      warnings.push_back(text);
    }
    if (row.outliers > 0) {
      snprintf(text, sizeof text, "%s: %d outlier run%s, far from the median", name.c_str(),
               row.outliers, row.outliers == 1 ? "" : "s");
      warnings.push_back(text);
    }
  }
  if (!warnings.empty())
    warnings.push_back(
        "other programs or a cold cache may have interfered: try --warmup 1, more --repeat, "
        "or a quieter machine");
  return warnings;
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
             ModeName(run.mode), run.workers, run.repeat, run.tasks, u.wall_s, u.user_s, u.sys_s,
             CpuSeconds(u), u.peak_rss_kb, u.wall_s > 0 ? run.tasks / u.wall_s : 0, u.exit_code);
    out << line;
  }
  return Finish(out, path);
}

Status WriteBenchJson(const std::string& path, const std::string& task, int warmup,
                      const std::vector<BenchRun>& runs, const std::vector<BenchRow>& rows) {
  nlohmann::ordered_json json = {{"task", task}, {"warmup", warmup},
                                 {"runs", nlohmann::json::array()},
                                 {"summary", nlohmann::json::array()}};
  for (const BenchRun& run : runs) {
    const ChildUsage& u = run.usage;
    json["runs"].push_back(nlohmann::ordered_json{
        {"mode", ModeName(run.mode)}, {"workers", run.workers}, {"repeat", run.repeat},
        {"tasks", run.tasks}, {"wall_s", u.wall_s}, {"user_s", u.user_s}, {"sys_s", u.sys_s},
        {"cpu_s", CpuSeconds(u)}, {"peak_rss_kb", u.peak_rss_kb},
        {"tasks_per_s", u.wall_s > 0 ? run.tasks / u.wall_s : 0}, {"exit_code", u.exit_code}});
  }
  for (const BenchRow& row : rows) {
    nlohmann::ordered_json entry = {
        {"mode", ModeName(row.mode)}, {"workers", row.workers}, {"runs", row.runs},
        {"failed_runs", row.failed_runs}, {"median_wall_s", row.median_wall_s},
        {"mean_wall_s", row.mean_wall_s}, {"stddev_wall_s", row.stddev_wall_s},
        {"min_wall_s", row.min_wall_s}, {"max_wall_s", row.max_wall_s},
        {"outliers", row.outliers}, {"speedup", nullptr}, {"efficiency", nullptr},
        {"tasks_per_s", row.tasks_per_s}, {"median_cpu_s", row.median_cpu_s},
        {"peak_rss_kb", row.peak_rss_kb}};
    if (row.speedup > 0) entry["speedup"] = row.speedup, entry["efficiency"] = row.efficiency;
    json["summary"].push_back(entry);
  }
  std::ofstream out(path);
  out << json.dump(2) << "\n";
  return Finish(out, path);
}

Status WriteBenchMarkdown(const std::string& path, const std::string& title,
                          const std::vector<BenchRow>& rows) {
  std::ofstream out(path);
  out << title << "\n\n"
      << "| mode | workers | median s | mean \xc2\xb1 \xcf\x83 s | min\xe2\x80\x93max s | speedup "
         "| efficiency | tasks/s | CPU s | peak RSS MB |\n"
      << "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const BenchRow& row : rows) {
    char line[320], speedup[16] = "\xe2\x80\x93", efficiency[16] = "\xe2\x80\x93";  // –
    if (row.speedup > 0) {
      snprintf(speedup, sizeof speedup, "%.2fx", row.speedup);
      snprintf(efficiency, sizeof efficiency, "%.0f%%", row.efficiency * 100);
    }
    snprintf(line, sizeof line,
             "| %s | %d | %.3f | %s | %.3f\xe2\x80\x93%.3f | %s | %s | %.1f | %.2f | %.1f |\n",
             ModeName(row.mode), row.workers, row.median_wall_s, MeanAndSigma(row).c_str(),
             row.min_wall_s, row.max_wall_s, speedup, efficiency, row.tasks_per_s,
             row.median_cpu_s, row.peak_rss_kb / 1024.0);
    out << line;
  }
  return Finish(out, path);
}

}  // namespace farm
