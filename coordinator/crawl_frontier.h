// What a crawl has seen and has still to fetch. The coordinator's thread
// alone holds it, so each URL is fetched at most once by construction: no
// worker keeps a visited list, and no lock can be forgotten.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace farm {

struct CrawlOptions {
  enum class Scope {
    kHost,    // the seeds' hosts and ports
    kDomain,  // the seeds' hosts and their subdomains, any port
    kPrefix,  // below a seed's folder (its URL up to the last '/')
  };
  std::vector<std::string> seeds;  // normalized
  int depth = 5;                   // links followed from a seed; -1: no limit
  Scope scope = Scope::kHost;
  uint64_t max_pages = 0;  // URLs taken in all; 0: no limit
};

class CrawlFrontier {
 public:
  struct Page {
    std::string url;  // normalized
    int depth = 0;
    std::string parent;  // the page it was found on; empty for a seed
  };

  explicit CrawlFrontier(CrawlOptions options);

  // Queues `url` unless it was seen, is out of scope or too deep, or the
  // crawl has --max-pages URLs already. True if queued.
  bool Offer(const std::string& url, int depth, const std::string& parent);
  // The seeds, those not seen yet.
  void OfferSeeds();
  // --resume: `url` was fetched by the run before.
  void MarkSeen(const std::string& url) { taken_ += seen_.insert(url).second; }

  bool Next(Page* page);
  bool empty() const { return queue_.empty(); }

 private:
  bool InScope(const std::string& url) const;

  CrawlOptions options_;
  std::vector<std::string> prefixes_;  // for kPrefix
  std::vector<std::string> domains_;   // for kDomain: hosts, without a "www."
  std::vector<std::string> origins_;   // for kHost: scheme://host:port
  std::unordered_set<std::string> seen_;
  std::deque<Page> queue_;
  uint64_t taken_ = 0;  // queued, ever
};

// --resume: what an earlier crawl's result lines in `path` say was fetched
// (marked seen) and found but not fetched yet (queued). Returns the largest
// task id the file holds, in *last_id.
Status LoadCrawl(const std::string& path, CrawlFrontier* frontier, uint64_t* last_id);

}  // namespace farm
