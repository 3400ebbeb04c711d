// URLs as farm compares and counts them: one normal form, so that a crawl's
// visited set and the per-host politeness counts agree on what is the same
// page and the same host. Built on libcurl's URL parser, the one that fetches.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct Curl_URL;  // libcurl's CURLU

namespace farm {

// The normal form of an absolute http or https URL: scheme and host in lower
// case, default port and fragment dropped, an empty path made "/", spaces
// and bytes outside ASCII percent-encoded; in the path and query, escapes of
// unreserved characters decoded (%7E is '~') and the others' hex digits in
// upper case (%2f is %2F), then dot segments removed from the path, escaped
// ones too (%2e%2e is ".."), as RFC 3986 6.2.2 says. A user:password@ stays
// as given. nullopt for any other scheme, a relative URL or garbage.
std::optional<std::string> NormalizeUrl(std::string_view url);

// `reference` (as found in a page: absolute, "x", "/x", "//host/x", "?q",
// "#f") resolved against the absolute URL `base`, then normalized. Spaces
// around it are dropped, as a browser does. nullopt when the result is not
// http or https (mailto:, javascript:, data:, ftp:) or either is garbage.
std::optional<std::string> ResolveUrl(std::string_view base, std::string_view reference);

// ResolveUrl for the many links of one page: the base is parsed once.
class UrlResolver {
 public:
  explicit UrlResolver(std::string_view base);
  ~UrlResolver();
  UrlResolver(const UrlResolver&) = delete;
  UrlResolver& operator=(const UrlResolver&) = delete;

  std::optional<std::string> Resolve(std::string_view reference) const;

 private:
  Curl_URL* base_ = nullptr;             // nullptr: the base is no absolute URL
  std::optional<std::string> document_;  // the base's normal form
};

// Where the parts of a URL in the normal form above begin and end: after
// the scheme's "://"; after its user info and '@' (scheme_end if none); after
// its host and port.
struct UrlCuts {
  size_t scheme_end = 0;
  size_t host_begin = 0;
  size_t host_end = 0;
};
UrlCuts CutNormalUrl(std::string_view normal_url);

// Parts of a URL in the normal form above, cut out without parsing it again
// (a crawl asks for them of every link): its origin, "scheme://host[:port]"
// without user info, which per-host politeness counts by; its host alone;
// and its target, "/path?query", which robots.txt rules match.
std::string UrlOrigin(std::string_view normal_url);
std::string_view UrlHost(std::string_view normal_url);
std::string_view UrlTarget(std::string_view normal_url);

}  // namespace farm
