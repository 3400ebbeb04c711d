#include "coordinator/robots.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "common/percent_escape.h"

namespace farm {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

// One spelling for every path and pattern (RFC 9309 2.2.2): escapes of
// unreserved characters decoded, other escapes upper-cased (%2f -> %2F),
// octets outside printable ASCII and a stray '%' escaped. In a pattern '*'
// and a final '$' are special, so a literal '*' or '$' in a path is spelled
// %2A or %24 on both sides (RFC 9309 2.2.3).
enum class Side { kPath, kPattern };
std::string NormalizeEncoding(std::string_view text, Side side) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (const int octet = EscapedOctetAt(text, i); octet >= 0) {
      const auto value = static_cast<unsigned char>(octet);
      IsUnreservedOctet(value) ? out.push_back(static_cast<char>(value))
                               : AppendEscape(value, &out);
      i += 2;
    } else if (c == '%' || c <= 0x20 || c >= 0x7f) {
      AppendEscape(c, &out);
    } else if (side == Side::kPath ? (c == '*' || c == '$') : (c == '$' && i + 1 < text.size())) {
      AppendEscape(c, &out);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Whether `pattern` matches a prefix of `path` ('*': any run of characters;
// a final '$': the end of the path). The set of path positions the pattern
// so far can end at is carried along, so a hostile pattern costs at most
// pattern length times path length, never exponential backtracking.
bool Matches(std::string_view path, std::string_view pattern) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  if (pattern.find('*') == std::string_view::npos)
    return anchored ? path == pattern : path.substr(0, pattern.size()) == pattern;
  std::vector<size_t> positions = {0};  // sorted, distinct
  for (char p : pattern) {
    if (p == '*') {
      size_t first = positions.front();
      positions.clear();
      for (size_t i = first; i <= path.size(); ++i) positions.push_back(i);
      continue;
    }
    size_t kept = 0;
    for (size_t position : positions)
      if (position < path.size() && path[position] == p) positions[kept++] = position + 1;
    positions.resize(kept);
    if (positions.empty()) return false;
  }
  return !anchored || positions.back() == path.size();
}

// "1", "0.5", "10.25"; nonsense (negative, not finite, trailing words) is
// nullopt.
std::optional<double> ParseDelay(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0)
    return std::nullopt;
  return value;
}

// One group of a robots.txt: its User-agent lines reduced to whether they
// name us or `*`, and what follows them.
struct Group {
  bool ours = false;
  bool global = false;
  std::vector<std::pair<std::string, bool>> rules;  // normalized pattern, allow
  std::optional<double> crawl_delay_s;
};

// The robots.txt as groups. A run of User-agent lines opens a group; the
// first Allow or Disallow closes the run, so the next User-agent opens a new
// group. Other records (Crawl-delay, Sitemap, unknown ones) must not change
// the grouping (RFC 9309 2.2.4). Lines before the first User-agent belong to
// no group.
std::vector<Group> ReadGroups(std::string_view text, std::string_view product_token) {
  std::vector<Group> groups;
  bool in_agent_lines = false;
  while (!text.empty()) {
    size_t end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    line = line.substr(0, line.find('#'));
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // blank, comment or junk
    std::string_view key = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoringCase(key, "user-agent")) {
      if (!in_agent_lines) groups.emplace_back();
      in_agent_lines = true;
      std::string_view token = RobotsProductToken(value);
      if (token == "*") groups.back().global = true;
      if (!product_token.empty() && EqualsIgnoringCase(token, product_token))
        groups.back().ours = true;
      continue;
    }
    if (groups.empty()) continue;
    Group& group = groups.back();
    bool allow = EqualsIgnoringCase(key, "allow");
    if (allow || EqualsIgnoringCase(key, "disallow")) {
      in_agent_lines = false;
      // An empty pattern matches nothing: "Disallow:" allows everything.
      if (!value.empty()) group.rules.emplace_back(NormalizeEncoding(value, Side::kPattern), allow);
    } else if (EqualsIgnoringCase(key, "crawl-delay")) {
      if (auto delay = ParseDelay(value))
        group.crawl_delay_s = std::max(group.crawl_delay_s.value_or(0), *delay);
    }
  }
  return groups;
}

// What of `text` to parse: at most kRobotsTxtMaxBytes, cut after the last
// whole line so that a pattern is never cut short (a shorter Allow or
// Disallow would match more than its author wrote), and without a BOM.
std::string_view Bounded(std::string_view text) {
  if (text.size() > kRobotsTxtMaxBytes) {
    text = text.substr(0, kRobotsTxtMaxBytes);
    size_t last_break = text.find_last_of("\r\n");
    text = text.substr(0, last_break == std::string_view::npos ? 0 : last_break);
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

}  // namespace

RobotsRules RobotsRules::Parse(std::string_view robots_txt, std::string_view product_token) {
  std::vector<Group> groups = ReadGroups(Bounded(robots_txt), product_token);
  bool ours_present =
      std::any_of(groups.begin(), groups.end(), [](const Group& g) { return g.ours; });
  RobotsRules rules;
  for (Group& group : groups) {
    if (ours_present ? !group.ours : !group.global) continue;
    for (auto& [pattern, allow] : group.rules) rules.rules_.push_back({std::move(pattern), allow});
    if (group.crawl_delay_s)
      rules.crawl_delay_s_ = std::max(rules.crawl_delay_s_.value_or(0), *group.crawl_delay_s);
  }
  return rules;
}

RobotsRules RobotsRules::AllowAll() { return RobotsRules(); }

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules rules;
  rules.disallow_all_ = true;
  return rules;
}

bool RobotsRules::Allowed(std::string_view path_and_query) const {
  return !DisallowedBy(path_and_query).has_value();
}

std::optional<std::string> RobotsRules::DisallowedBy(std::string_view path_and_query) const {
  if (disallow_all_) return "robots.txt unreachable: everything disallowed";
  path_and_query = path_and_query.substr(0, path_and_query.find('#'));
  std::string path = NormalizeEncoding(path_and_query, Side::kPath);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  if (path == "/robots.txt") return std::nullopt;  // RFC 9309 2.2.2
  const Rule* best = nullptr;
  for (const Rule& rule : rules_) {
    if (best && (rule.pattern.size() < best->pattern.size() ||
                 (rule.pattern.size() == best->pattern.size() && !rule.allow)))
      continue;
    if (Matches(path, rule.pattern)) best = &rule;
  }
  if (!best || best->allow) return std::nullopt;
  return "Disallow: " + best->pattern;
}

std::string_view RobotsProductToken(std::string_view user_agent) {
  user_agent = Trim(user_agent);
  return user_agent.substr(0, user_agent.find_first_of("/ \t"));
}

}  // namespace farm
