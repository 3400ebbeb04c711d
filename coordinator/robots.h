// robots.txt rules as RFC 9309 defines them, for one crawler: parse a
// robots.txt body once per host, then ask whether a path may be fetched.
// Pure code, no I/O: the caller fetches /robots.txt and picks the factory
// that fits the answer.
//
//   RobotsRules rules = RobotsRules::Parse(body, RobotsProductToken(user_agent));
//   if (!rules.Allowed("/a/b?x=1")) ...   // a robots_disallowed result
//
// The group whose User-agent matches the product token (case-insensitively)
// applies, several such groups merged; else the `*` group(s); else no rule.
// Allow/Disallow patterns take `*` (any run of characters) and a final `$`
// (end of the path); the longest matching pattern wins, Allow on a tie.
// Percent-encoding is normalized on both sides before matching.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace farm {

// RFC 9309 2.5: a crawler must parse at least 500 KiB of a robots.txt; Parse
// reads no more, so a fetch of robots.txt may stop one byte after (that byte
// tells Parse the last line may be cut short).
inline constexpr size_t kRobotsTxtMaxBytes = 500 * 1024;

class RobotsRules {
 public:
  // `product_token` is the crawler's name alone ("farm"); see
  // RobotsProductToken. Never fails: what is not understood is skipped.
  static RobotsRules Parse(std::string_view robots_txt, std::string_view product_token);
  // robots.txt missing (a 4xx answer): everything may be fetched.
  static RobotsRules AllowAll();
  // robots.txt unreachable (5xx, network error): nothing may be fetched
  // (RFC 9309 2.3.1.4).
  static RobotsRules DisallowAll();

  // `path_and_query` as in the request line: "/a/b?x=1" (a fragment is
  // ignored). /robots.txt itself is always allowed, except by DisallowAll.
  bool Allowed(std::string_view path_and_query) const;
  // The rule that forbids the path, for messages ("Disallow: /private/"), or
  // nullopt when the path is allowed.
  std::optional<std::string> DisallowedBy(std::string_view path_and_query) const;

  // Crawl-delay of the group that applies (the largest, if several merged
  // groups give one), in seconds; nullopt when it gives none.
  std::optional<double> crawl_delay_s() const { return crawl_delay_s_; }

 private:
  struct Rule {
    std::string pattern;  // percent-encoding normalized; '*' and a final '$' special
    bool allow = false;
  };

  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_s_;
  bool disallow_all_ = false;
};

// The product token of a User-Agent string, which robots.txt groups name:
// the part before the first '/' or whitespace. "farm/1.2 (+url)" -> "farm".
std::string_view RobotsProductToken(std::string_view user_agent);

}  // namespace farm
