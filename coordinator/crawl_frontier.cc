#include "coordinator/crawl_frontier.h"

#include <errno.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/url.h"

namespace farm {

CrawlFrontier::CrawlFrontier(CrawlOptions options) : options_(std::move(options)) {
  for (const std::string& seed : options_.seeds) {
    origins_.push_back(UrlOrigin(seed));
    prefixes_.push_back(seed.substr(0, seed.rfind('/') + 1));
    std::string_view host = UrlHost(seed);
    if (host.starts_with("www.")) host.remove_prefix(4);
    domains_.emplace_back(host);
  }
}

bool CrawlFrontier::InScope(const std::string& url) const {
  switch (options_.scope) {
    case CrawlOptions::Scope::kHost:
      for (const std::string& origin : origins_)
        if (UrlOrigin(url) == origin) return true;
      return false;
    case CrawlOptions::Scope::kPrefix:
      for (const std::string& prefix : prefixes_)
        if (url.starts_with(prefix)) return true;
      return false;
    case CrawlOptions::Scope::kDomain: {
      std::string_view host = UrlHost(url);
      for (const std::string& domain : domains_)
        if (host == domain || (host.ends_with(domain) && host.size() > domain.size() &&
                               host[host.size() - domain.size() - 1] == '.'))
          return true;
      return false;
    }
  }
  return false;
}

bool CrawlFrontier::Offer(const std::string& url, int depth, const std::string& parent) {
  if (options_.depth >= 0 && depth > options_.depth) return false;
  if (!InScope(url)) return false;
  auto known = seen_.find(url);
  if (known == seen_.end()) {
    if (options_.max_pages > 0 && accepted_ >= options_.max_pages) return false;
    ++accepted_;
    known = seen_.emplace(url, Known{.depth = depth, .parent = parent}).first;
  } else if (known->second.taken || known->second.depth <= depth) {
    return false;
  } else {
    known->second = {.depth = depth, .parent = parent};
    --queued_count_;  // its entry deeper down is stale now
  }
  queued_[depth].push_back(url);
  ++queued_count_;
  return true;
}

void CrawlFrontier::OfferSeeds() {
  for (const std::string& seed : options_.seeds) Offer(seed, 0, "");
}

void CrawlFrontier::MarkFetched(const std::string& url) {
  auto [known, added] = seen_.try_emplace(url);
  if (added) ++accepted_;
  if (!added && !known->second.taken) --queued_count_;
  known->second.taken = true;
}

bool CrawlFrontier::Next(Page* page) {
  while (!queued_.empty()) {
    auto& [depth, urls] = *queued_.begin();
    if (!in_flight_.empty() && in_flight_.begin()->first <= depth - 2) return false;
    while (!urls.empty()) {
      std::string url = std::move(urls.front());
      urls.pop_front();
      Known& known = seen_[url];
      if (known.taken || known.depth != depth) continue;  // stale
      known.taken = true;
      --queued_count_;
      ++in_flight_[depth];
      *page = {.url = std::move(url), .depth = depth, .parent = known.parent};
      return true;
    }
    queued_.erase(queued_.begin());
  }
  return false;
}

void CrawlFrontier::Done(const Page& page) {
  auto it = in_flight_.find(page.depth);
  if (it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
}

// Each line of a crawl names, in its result, its URL, its depth and the URLs
// it queued ("discovered"): every URL queued is in a line's list, so the
// lines alone say what is left.
Status LoadCrawl(const std::string& path, CrawlFrontier* frontier, uint64_t* last_id) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return Status::Ok();  // nothing fetched yet
    return Status::FromErrno("cannot read '" + path + "'", errno);
  }
  std::vector<CrawlFrontier::Page> found;
  std::string text;
  while (std::getline(in, text)) {
    nlohmann::json line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const nlohmann::json* result = line.is_object() && line.contains("result") ? &line["result"]
                                                                                : nullptr;
    if (result == nullptr || !result->is_object() || !result->contains("url") ||
        !(*result)["url"].is_string())
      continue;
    const std::string url = (*result)["url"];
    frontier->MarkFetched(url);
    if (line.contains("id") && line["id"].is_number_unsigned())
      *last_id = std::max(*last_id, line["id"].get<uint64_t>());
    const int depth = result->value("depth", 0) + 1;
    for (const nlohmann::json& link : result->value("discovered", nlohmann::json::array()))
      if (link.is_string()) found.push_back({.url = link, .depth = depth, .parent = url});
  }
  frontier->OfferSeeds();
  for (const CrawlFrontier::Page& page : found) frontier->Offer(page.url, page.depth, page.parent);
  return Status::Ok();
}

}  // namespace farm
