// A crawl is a run whose tasks come from its own results: each page fetched
// (by a worker, which also parses its links) offers the links it found to
// the frontier, which makes the new ones fetch tasks in the same scheduler,
// under the same per-host politeness as any fetch.
#include "coordinator/crawl.h"

#include <stdio.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_writer.h"
#include "common/url.h"
#include "coordinator/crawl_frontier.h"
#include "coordinator/flags.h"
#include "coordinator/resume.h"
#include "coordinator/run.h"
#include "coordinator/run_flags.h"
#include "worker/redact_url.h"

namespace farm {
namespace {

using Json = nlohmann::json;

// Where the JSON array of strings opened at `open` closes; npos if it does
// not. Strings are skipped whole, escapes and all, so a ']' in one is no end.
size_t ArrayEnd(std::string_view text, size_t open) {
  bool in_string = false;
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (in_string) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        in_string = false;
      }
    } else if (text[i] == '"') {
      in_string = true;
    } else if (text[i] == ']') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Hands out the frontier's pages as fetch tasks, and takes their result
// lines back on the way to the file: the links they found go to the
// frontier, and each line gains the page's place in the crawl.
class CrawlTasks final : public RunTasks, TaskFeed, ResultOutput {
 public:
  CrawlTasks(const RunOptions& options, CrawlFrontier& frontier, uint64_t last_id)
      : options_(options), frontier_(frontier), next_id_(last_id + 1) {}

  Status Start(int workers, ResultSink& sink, RunDb& db) override {
    file_.emplace(sink);
    return db.Start(options_, workers, &sink, /*source=*/nullptr);
  }
  TaskFeed& feed() override { return *this; }
  ResultOutput& output() override { return *this; }

  // TaskFeed.
  Next TakeRunnable(ResultOutput& /*output*/, InputTask* task) override {
    CrawlFrontier::Page page;
    if (!frontier_.Next(&page)) return pages_.empty() ? Next::kEnd : Next::kNeedInput;
    const uint64_t seq = next_id_++;
    task_json_ = Json{{"id", seq}, {"type", "fetch"}, {"url", page.url},
                      {"links", true}, {"max_redirects", 0}}.dump();
    pages_.emplace(seq, std::move(page));
    *task = InputTask{};
    task->seq = seq;
    task->json = task_json_;
    task->fetch = true;
    return Next::kTask;
  }
  int fd() const override { return -1; }  // nothing to wait for but results
  void ReadMore() override {}

  // ResultOutput.
  Status Open() override { return file_->Open(); }
  void Add(uint64_t seq, std::string_view line, bool ok) override {
    auto page = pages_.extract(seq);
    if (page) frontier_.Done(page.mapped());
    file_->Add(seq, page ? Annotate(page.mapped(), line) : std::string(line), ok);
  }
  void Skip(uint64_t seq) override {
    if (auto page = pages_.extract(seq)) frontier_.Done(page.mapped());
    file_->Skip(seq);
  }
  size_t held() const override { return file_->held(); }
  Status Flush() override { return file_->Flush(); }
  uint64_t written() const override { return file_->written(); }
  uint64_t failed() const override { return file_->failed(); }
  uint64_t received_ok() const override { return file_->received_ok(); }
  uint64_t received_failed() const override { return file_->received_failed(); }

 private:
  // Whether a result's fields (after "result":{) say a 3xx status.
  static bool IsRedirect(std::string_view result) {
    constexpr std::string_view kStatus = "\"status\":3";
    const size_t at = result.find(kStatus);
    return at != std::string_view::npos && at + kStatus.size() + 2 <= result.size() &&
           result.substr(at + kStatus.size(), 2).find_first_not_of("0123456789") ==
               std::string_view::npos;
  }

  // The result line of `page`, with its place in the crawl in its "result"
  // (depth and parent; a failed page's result is only that and its url),
  // and the links it found offered to the frontier: "links" becomes their
  // number, and "discovered" lists those queued. The worker's line is
  // spliced, not re-encoded: in JSON text a key can't be mistaken for the
  // contents of a string, where a quote is escaped.
  std::string Annotate(const CrawlFrontier::Page& page, std::string_view line) {
    // The frontier's URLs have the seed's password; the lines never do.
    std::string place = "\"depth\":" + std::to_string(page.depth) + ",\"parent\":";
    if (page.parent.empty()) {
      place += "null";
    } else {
      AppendJsonString(RedactPassword(page.parent), &place);
    }
    constexpr std::string_view kResult = ",\"result\":{";
    const size_t result = line.find(kResult);
    if (result == std::string_view::npos) {  // a failure: its place after its error
      if (!line.ends_with('}')) return std::string(line);
      std::string out(line.substr(0, line.size() - 1));
      out += ",\"result\":{\"url\":";
      AppendJsonString(RedactPassword(page.url), &out);
      return out.append(",").append(place).append("}}");
    }
    std::string out(line.substr(0, result + kResult.size()));
    out.append(place).append(",");
    line.remove_prefix(result + kResult.size());
    constexpr std::string_view kLinks = ",\"links\":";
    const size_t links = line.find(kLinks);
    const size_t open = links == std::string_view::npos ? links : links + kLinks.size();
    const size_t end = open < line.size() && line[open] == '[' ? ArrayEnd(line, open) : line.npos;
    if (end == std::string_view::npos) return out.append(line);
    Json urls = Json::parse(line.substr(open, end + 1 - open), nullptr, /*allow_exceptions=*/false);
    if (!urls.is_array()) urls = Json::array();
    // A seed's redirect (its one link) widens the scope, as wget follows it.
    if (page.parent.empty() && IsRedirect(line) && urls.size() == 1 && urls[0].is_string())
      frontier_.AddToScope(urls[0].get<std::string>());
    out.append(line.substr(0, links));
    out += ",\"links\":" + std::to_string(urls.size()) + ",\"discovered\":[";
    bool first = true;
    for (const Json& url : urls) {
      if (!url.is_string()) continue;
      // As the page's own line will spell it: with the seed's user, if any.
      std::string queued = frontier_.WithPassword(url.get<std::string>());
      if (!frontier_.Offer(queued, page.depth + 1, page.url)) continue;
      if (!first) out += ',';
      first = false;
      AppendJsonString(RedactPassword(queued), &out);
    }
    return out.append(line.substr(end));
  }

  const RunOptions& options_;
  CrawlFrontier& frontier_;
  uint64_t next_id_;
  std::unordered_map<uint64_t, CrawlFrontier::Page> pages_;  // handed out, no result yet
  std::string task_json_;
  std::optional<FileOutput> file_;
};

Status ParseDepth(std::string_view text, CrawlOptions* crawl) {
  if (text == "inf") return crawl->depth = -1, Status::Ok();
  return IntInto("--depth", 0, 1'000'000, &crawl->depth)(text);
}

// Seeds are normalized as every link is, so a seed found again as a link is
// known for the same URL.
Status TakeSeeds(const std::vector<std::string>& words, CrawlOptions* crawl) {
  if (words.empty()) return Status::Error("give at least one seed URL");
  for (const std::string& word : words) {
    std::optional<std::string> url = NormalizeUrl(word);
    if (!url) return Status::Error("not an http or https URL: '" + word + "'");
    crawl->seeds.push_back(*url);
  }
  return Status::Ok();
}

// farm crawl's table: its own flags, then every flag of a batch and of
// fetch tasks, as farm run has them.
std::vector<FlagSection> CrawlFlags(RunOptions* o, CrawlOptions* crawl) {
  const CrawlOptions defaults;
  FlagSection own = {
      "crawl",
      {
          {"--output", 'o', "FILE", "result lines go there (default: stdout)",
           PathInto("--output", &o->output)},
          {"--depth", 0, "D",
           "links followed from a seed, a redirect counting as one; inf: no limit" +
               std::string(" (default: ") + std::to_string(defaults.depth) + ")",
           [crawl](std::string_view v) { return ParseDepth(v, crawl); }},
          {"--scope", 0, "host|domain|prefix",
           "which links to follow: the seeds' host and port; their hosts and subdomains, any "
           "port; or below a seed's folder (default: host)",
           ChoiceInto("--scope", "host|domain|prefix",
                      [crawl](size_t i) { crawl->scope = static_cast<CrawlOptions::Scope>(i); })},
          {"--max-pages", 0, "N", "queue no new URL once N were (default: no limit)",
           [crawl](std::string_view v) {
             return ParseUint64("--max-pages", v, &crawl->max_pages);
           }},
      },
  };
  return {std::move(own), SharedRunFlags(o), FetchFlags(o)};
}

bool ParseCrawlOptions(std::span<char* const> args, RunOptions* options, CrawlOptions* crawl) {
  SetRunDefaults(options);
  options->command = "crawl";
  options->politeness.robots = true;  // a crawler asks first
  options->politeness.max_per_host = kCrawlMaxPerHost;
  options->arguments.assign(args.begin(), args.end());
  std::vector<std::string> seeds;
  Status status = ParseFlags(args, AllFlags(CrawlFlags(options, crawl)), &seeds);
  if (status.ok()) status = TakeSeeds(seeds, crawl);
  // Before farm run's checks, which would offer --db.
  if (status.ok() && options->resume && (options->output.empty() || options->output == "-"))
    status = Status::Error("--resume of a crawl needs the --output FILE of the crawl to go on");
  if (status.ok()) status = CheckRunOptions(options);
  if (status.ok() && options->resume && !options->db.empty())
    status = Status::Error("--resume of a crawl reads its --output FILE; --db can't resume it");
  if (status.ok()) return true;
  fprintf(stderr, "farm crawl: %s\nusage: %.*s   (farm help crawl for more)\n",
          status.message().c_str(), static_cast<int>(kCrawlUsage.size()), kCrawlUsage.data());
  return false;
}

ExitStatus RunCrawl(const RunOptions& options, const CrawlOptions& crawl, RunSummary* summary) {
  CrawlFrontier frontier(crawl);
  uint64_t last_id = 0;
  ResumeSet torn;  // cuts a torn last line before the frontier reads the file
  Status status = CheckRunFiles(options, /*input=*/nullptr);
  if (status.ok()) status = CheckWorkerLimits(options);
  if (status.ok() && options.resume) status = torn.Load(options.output);
  if (status.ok() && options.resume) status = LoadCrawl(options.output, &frontier, &last_id);
  if (!status.ok()) {
    fprintf(stderr, "farm crawl: %s\n", status.message().c_str());
    return kExitUsage;
  }
  if (!options.resume) frontier.OfferSeeds();
  CrawlTasks tasks(options, frontier, last_id);
  return RunStarted(options, tasks, summary);
}

}  // namespace

HelpPage CrawlHelp() {
  auto options = std::make_shared<std::pair<RunOptions, CrawlOptions>>();
  return {
      .usage = {std::string(kCrawlUsage)},
      .about = {"Fetches the seed URLs, parses the HTML pages among them for links, and fetches "
                "those in scope, once each, breadth first, until none is left, with robots.txt "
                "obeyed and requests to each host limited for the whole run. Each page's result "
                "line gives its url, depth, parent, status, title and number of links."},
      .sections = CrawlFlags(&options->first, &options->second),
      .examples =
          {
              {"farm crawl https://example.org/ --depth 2 --out-dir pages -o crawl.jsonl",
               "the site's pages up to two links away from its home page"},
              {"farm crawl https://example.org/docs/ --scope prefix --max-per-host 2 --delay "
               "500:1500",
               "only below /docs/, two requests at a time, 0.5 to 1.5 s between starts"},
              {"farm crawl https://example.org/ -o crawl.jsonl --resume",
               "after Ctrl-C: fetch what crawl.jsonl has not, and nothing twice"},
          },
      .state = options,
  };
}

ExitStatus CrawlCommand(std::span<char* const> args) {
  RunOptions options;
  CrawlOptions crawl;
  if (!ParseCrawlOptions(args, &options, &crawl)) return kExitUsage;
  return RunWithOptions(options, [&](RunSummary* summary) {
    return RunCrawl(options, crawl, summary);
  });
}

}  // namespace farm
