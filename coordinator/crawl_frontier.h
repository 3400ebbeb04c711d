// What a crawl has seen and has still to fetch. The coordinator's thread
// alone holds it, so each URL is fetched at most once by construction: no
// worker keeps a visited list, and no lock can be forgotten.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
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

// Pages go out by depth, breadth first, and a page at depth d only once no
// page at depth d - 2 or less is in flight: every shorter path to it has
// then been seen, so each URL is fetched at its smallest depth and --depth
// loses no page, while two levels still overlap.
class CrawlFrontier {
 public:
  struct Page {
    std::string url;  // normalized
    int depth = 0;
    std::string parent;  // the page it was found on; empty for a seed
  };

  explicit CrawlFrontier(CrawlOptions options);

  // Queues `url` unless it is out of scope or too deep, or was seen at this
  // depth or less, or the crawl has --max-pages URLs already. A URL queued
  // deeper and not yet handed out moves up. True if queued. A URL (and its
  // parent) of the origin of a seed with a password gets that password,
  // unless it has one of its own other than farm's ***.
  bool Offer(std::string url, int depth, std::string parent);
  // The seeds, those not seen yet.
  void OfferSeeds();
  // A seed redirects to `url` (http to https, a host to its www.): the
  // scope takes it in as it takes a seed, or the crawl would end at once.
  void AddToScope(std::string url);
  // `url` with the password of the seed for its user and origin, if it has
  // the one farm writes instead, or none: the URL Offer() queues.
  std::string WithPassword(std::string url) const;
  // --resume: `url` was fetched by the run before.
  void MarkFetched(std::string url);

  // The next page to fetch; false if none may go now.
  bool Next(Page* page);
  // A page Next() gave has its result.
  void Done(const Page& page);
  // Nothing queued.
  bool empty() const { return queued_count_ == 0; }

 private:
  struct Known {
    int depth = 0;
    std::string parent;
    bool taken = false;  // handed out, or fetched by the run before
  };
  bool InScope(const std::string& url) const;

  CrawlOptions options_;
  std::vector<std::string> prefixes_;  // for kPrefix
  std::vector<std::string> domains_;   // for kDomain: hosts, without a "www."
  std::vector<std::string> origins_;   // for kHost: scheme://host:port
  // The start of each seed with a password, "scheme://user:password@host:port",
  // by the starts of the URLs that get it: "scheme://host:port" (a link
  // without one), and "scheme://user@host:port" (a link a worker gave back
  // with the password written as ***, as farm writes every URL).
  std::unordered_map<std::string, std::string> passwords_;
  std::unordered_map<std::string, Known> seen_;
  std::map<int, std::deque<std::string>> queued_;  // by depth; a moved URL's old entry is stale
  std::map<int, int> in_flight_;                   // pages handed out, by depth
  size_t queued_count_ = 0;                        // live entries of queued_
  uint64_t accepted_ = 0;                          // URLs ever queued, for --max-pages
};

// --resume: what an earlier crawl's result lines in `path` say was fetched
// (marked seen) and found but not fetched yet (queued). Returns the largest
// task id the file holds, in *last_id.
Status LoadCrawl(const std::string& path, CrawlFrontier* frontier, uint64_t* last_id);

}  // namespace farm
