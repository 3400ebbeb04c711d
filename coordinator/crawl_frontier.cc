#include "coordinator/crawl_frontier.h"

#include <errno.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/url.h"

namespace farm {

CrawlFrontier::CrawlFrontier(CrawlOptions options) : options_(std::move(options)) {
  for (const std::string& seed : options_.seeds) {
    // A seed with a password lends it to the URLs of its origin: those
    // without one, and those with the user's written as ***.
    const UrlCuts cuts = CutNormalUrl(seed);
    const size_t at = cuts.host_begin - 1;  // its '@', if it has user info
    const size_t colon = seed.find(':', cuts.scheme_end);
    if (cuts.host_begin > cuts.scheme_end && colon < at) {
      const std::string host = seed.substr(at, cuts.host_end - at);  // "@host:port"
      const std::string with_password = seed.substr(0, cuts.host_end);
      passwords_.emplace(seed.substr(0, cuts.scheme_end) + host.substr(1), with_password);
      passwords_.emplace(seed.substr(0, colon) + host, with_password);
    }
    AddToScope(seed);
  }
}

void CrawlFrontier::AddToScope(std::string url) {
  url = WithPassword(std::move(url));
  origins_.push_back(UrlOrigin(url));
  prefixes_.push_back(url.substr(0, url.rfind('/') + 1));
  std::string_view host = UrlHost(url);
  if (host.starts_with("www.")) host.remove_prefix(4);
  domains_.emplace_back(host);
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

std::string CrawlFrontier::WithPassword(std::string url) const {
  if (passwords_.empty()) return url;
  const UrlCuts cuts = CutNormalUrl(url);
  const size_t at = cuts.host_begin - 1;
  std::string key;
  if (cuts.host_begin == cuts.scheme_end) {  // scheme://host:port
    key = url.substr(0, cuts.host_end);
  } else if (std::string_view(url).substr(0, at).ends_with(":***")) {  // scheme://user@host:port
    key = url.substr(0, at - 4) + url.substr(at, cuts.host_end - at);
  } else {
    return url;  // a password of its own
  }
  auto it = passwords_.find(key);
  return it == passwords_.end() ? url : it->second + url.substr(cuts.host_end);
}

bool CrawlFrontier::Offer(std::string url, int depth, std::string parent) {
  url = WithPassword(std::move(url));
  parent = WithPassword(std::move(parent));
  if (options_.depth >= 0 && depth > options_.depth) return false;
  if (!InScope(url)) return false;
  auto known = seen_.find(url);
  if (known == seen_.end()) {
    if (options_.max_pages > 0 && accepted_ >= options_.max_pages) return false;
    ++accepted_;
    known = seen_.emplace(url, Known{.depth = depth, .parent = std::move(parent)}).first;
  } else if (known->second.taken || known->second.depth <= depth) {
    return false;
  } else {
    known->second = {.depth = depth, .parent = std::move(parent)};
    --queued_count_;  // its entry deeper down is stale now
  }
  queued_[depth].push_back(std::move(url));
  ++queued_count_;
  return true;
}

void CrawlFrontier::OfferSeeds() {
  for (const std::string& seed : options_.seeds) Offer(seed, 0, "");
}

void CrawlFrontier::MarkFetched(std::string url) {
  auto [known, added] = seen_.try_emplace(WithPassword(std::move(url)));
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

namespace {

using Json = nlohmann::json;

// The depth in a line's result: 0 if it has none (a fetch line of farm run
// names a URL fetched, and queued nothing); nullopt if it is not a depth
// farm writes, a count.
std::optional<int> DepthOf(const Json& result) {
  auto depth = result.find("depth");
  if (depth == result.end()) return 0;
  if (!depth->is_number_unsigned() ||
      depth->get<uint64_t>() >= static_cast<uint64_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  return static_cast<int>(depth->get<uint64_t>());
}

// A line's result, if it has one as farm writes it: a "url" string, a
// depth, and "discovered" a list if there.
const Json* CrawlResultOf(const Json& line) {
  if (!line.is_object()) return nullptr;
  auto result = line.find("result");
  if (result == line.end() || !result->is_object()) return nullptr;
  auto url = result->find("url");
  auto discovered = result->find("discovered");
  if (url == result->end() || !url->is_string() || !DepthOf(*result) ||
      (discovered != result->end() && !discovered->is_array()))
    return nullptr;
  return &*result;
}

}  // namespace

// Each line of a crawl names, in its result, its URL, its depth and the URLs
// it queued ("discovered"): every URL queued is in a line's list, so the
// lines alone say what is left. A line that is not such a result is skipped,
// as --resume skips every line that is not a result: nothing is made of a
// line farm never wrote, so its URL counts as not fetched.
Status LoadCrawl(const std::string& path, CrawlFrontier* frontier, uint64_t* last_id) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return Status::Ok();  // nothing fetched yet
    return Status::FromErrno("cannot read '" + path + "'", errno);
  }
  std::vector<CrawlFrontier::Page> found;
  std::string text;
  while (std::getline(in, text)) {
    const Json line = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    // Any line's id, so that no new task takes it again.
    if (line.is_object() && line.contains("id") && line["id"].is_number_unsigned())
      *last_id = std::max(*last_id, line["id"].get<uint64_t>());
    const Json* result = CrawlResultOf(line);
    if (result == nullptr) continue;
    const std::string url = (*result)["url"];
    frontier->MarkFetched(url);
    const int depth = *DepthOf(*result) + 1;
    const Json discovered = result->value("discovered", Json::array());
    // A seed's redirect took its target into the scope as the crawl ran
    // (crawl.cc): it does again.
    const Json status = result->value("status", Json());
    if (depth == 1 && status.is_number_integer() && status.get<int>() / 100 == 3)
      for (const Json& link : discovered)
        if (link.is_string()) frontier->AddToScope(link);
    for (const Json& link : discovered)
      if (link.is_string()) found.push_back({.url = link, .depth = depth, .parent = url});
  }
  frontier->OfferSeeds();
  for (const CrawlFrontier::Page& page : found) frontier->Offer(page.url, page.depth, page.parent);
  return Status::Ok();
}

}  // namespace farm
