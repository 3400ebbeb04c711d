// What a crawler takes from an HTML page: its title and the pages it links
// to, found by a real HTML parser (gumbo), so comments, scripts, entities
// and broken markup are read as a browser reads them.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace farm {

inline constexpr size_t kMaxLinks = 10'000;
// How much of a page is parsed: its start.
inline constexpr size_t kMaxParsedBytes = 8 << 20;
// The longest a parse may take. An HTML tree builder is quadratic in the
// depth of unclosed elements: a page of a megabyte of nothing but <div>s
// would hold a worker for an hour. Eight normal mebibytes take a second or
// two.
inline constexpr std::chrono::milliseconds kMaxParseTime{10'000};

struct HtmlLinks {
  // The first <title>'s text, whitespace collapsed; nullopt without one.
  std::optional<std::string> title;
  // The http and https URLs of <a href>, <area href>, <iframe src> and
  // <frame src>, resolved against the first <base href> if there is one,
  // else `page_url`, and normalized (common/url.h). Document order, each
  // once, at most kMaxLinks. Links within the page itself (href="" or
  // "#part") are left out: they name no other page.
  std::vector<std::string> links;
};

// Parses the first kMaxParsedBytes of `html` (UTF-8) as a browser would;
// never fails, whatever the bytes. A parse that takes longer than
// `max_parse_time` is abandoned: no title, no links.
HtmlLinks ExtractLinks(std::string_view html, std::string_view page_url,
                       std::chrono::milliseconds max_parse_time = kMaxParseTime);

}  // namespace farm
