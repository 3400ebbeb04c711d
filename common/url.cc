#include "common/url.h"

#include <algorithm>

#include <curl/curl.h>

#include <memory>

#include "common/percent_escape.h"

namespace farm {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

std::optional<std::string> GetPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK) return std::nullopt;
  std::unique_ptr<char, CurlStringDeleter> owner(text);
  return std::string(text);
}

void LowerAscii(std::string* text) {
  for (char& c : *text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}


// RFC 3986 6.2.2.1 and 6.2.2.2: an escape of an unreserved character is that
// character (%7E is '~', %2e is '.'); any other escape keeps its meaning
// and only gets upper-case hex digits (%2f is %2F, never '/'). Everything
// else, a stray '%' too, stays as it is.
std::string NormalizeEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int octet = EscapedOctetAt(text, i);
    if (octet < 0) {
      out.push_back(text[i]);
      continue;
    }
    const auto value = static_cast<unsigned char>(octet);
    IsUnreservedOctet(value) ? out.push_back(static_cast<char>(value)) : AppendEscape(value, &out);
    i += 2;
  }
  return out;
}

// RFC 3986 5.2.4 on a path that starts with '/': a "." segment goes, a ".."
// takes the segment before it along (none above the root), and either one
// last leaves the path ending in '/'.
std::string RemoveDotSegments(std::string_view path) {
  if (!path.starts_with('/')) return std::string(path);
  std::string out;
  out.reserve(path.size());
  for (size_t slash = 0; slash < path.size();) {
    const size_t end = std::min(path.find('/', slash + 1), path.size());
    const std::string_view segment = path.substr(slash + 1, end - slash - 1);
    const bool last = end == path.size();
    if (segment == "..") out.resize(std::min(out.rfind('/'), out.size()));
    if (segment != "." && segment != "..") {
      out.append("/").append(segment);
    } else if (last) {
      out.push_back('/');
    }
    slash = end;
  }
  return out.empty() ? "/" : out;
}

// The path and query of `url` (as libcurl made it: no fragment, and dot
// segments kept, CURLU_PATH_AS_IS) in their normal form: escapes normalized
// in both, then dot segments removed from the path. Escapes first, as RFC
// 3986 6.2.2 orders it: a server serves /b for "/a/%2e%2e/b", so robots.txt
// rules and a crawl's scope must not see a page below /a/ (libcurl removes
// only the segments spelled with dots).
std::string NormalizeTarget(const std::string& url) {
  const size_t host_end = CutNormalUrl(url).host_end;
  const std::string_view target = std::string_view(url).substr(host_end);
  const size_t query = target.find('?');
  std::string normal = url.substr(0, host_end);
  normal += RemoveDotSegments(NormalizeEscapes(target.substr(0, query)));
  if (query != std::string_view::npos) normal += NormalizeEscapes(target.substr(query));
  return normal;
}

// What a browser makes of an href before parsing it: no whitespace around
// it, no tab or newline inside, and spaces as %20 (libcurl would make them
// '+' in a query). nullopt for a NUL, which would cut the C string short.
std::optional<std::string> CleanReference(std::string_view text) {
  while (!text.empty() && IsAsciiWhitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiWhitespace(text.back())) text.remove_suffix(1);
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '\0') return std::nullopt;
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ' ') {
      clean += "%20";
    } else {
      clean.push_back(c);
    }
  }
  return clean;
}

// Parses `text` into `url`: alone, or against the URL `url` already holds.
bool SetUrl(CURLU* url, std::string_view text) {
  std::optional<std::string> clean = CleanReference(text);
  // CURLU_URLENCODE: bytes outside ASCII in the path and query become %XX.
  // CURLU_PATH_AS_IS: dot segments are removed later, with escaped ones
  // (NormalizeTarget).
  return clean && curl_url_set(url, CURLUPART_URL, clean->c_str(),
                               CURLU_URLENCODE | CURLU_PATH_AS_IS) == CURLUE_OK;
}

// The normal form of the absolute URL `url` holds, if it is http or https.
std::optional<std::string> Normalized(CURLU* url) {
  std::optional<std::string> scheme = GetPart(url, CURLUPART_SCHEME);  // lower case already
  if (!scheme || (*scheme != "http" && *scheme != "https")) return std::nullopt;
  std::optional<std::string> host = GetPart(url, CURLUPART_HOST);
  if (!host || host->empty()) return std::nullopt;
  LowerAscii(&*host);
  if (curl_url_set(url, CURLUPART_HOST, host->c_str(), 0) != CURLUE_OK ||
      curl_url_set(url, CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK)
    return std::nullopt;
  // libcurl has already made an empty path "/".
  std::optional<std::string> normal = GetPart(url, CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
  if (!normal) return std::nullopt;
  return NormalizeTarget(*normal);
}

}  // namespace

std::optional<std::string> NormalizeUrl(std::string_view text) {
  UrlHandle url(curl_url());
  if (!url || !SetUrl(url.get(), text)) return std::nullopt;
  return Normalized(url.get());
}

std::optional<std::string> ResolveUrl(std::string_view base, std::string_view reference) {
  return UrlResolver(base).Resolve(reference);
}

UrlResolver::UrlResolver(std::string_view base) {
  UrlHandle url(curl_url());
  if (!url || !SetUrl(url.get(), base)) return;
  base_ = url.release();
  UrlHandle copy(curl_url_dup(base_));
  if (copy) document_ = Normalized(copy.get());
}

UrlResolver::~UrlResolver() { curl_url_cleanup(base_); }

std::optional<std::string> UrlResolver::Resolve(std::string_view reference) const {
  std::optional<std::string> clean = CleanReference(reference);
  if (base_ == nullptr || !clean) return std::nullopt;
  // The document itself. libcurl 7.88 resolves these two against the base's
  // directory instead.
  if (clean->empty() || clean->front() == '#') return document_;
  UrlHandle url(curl_url_dup(base_));
  if (!url || !SetUrl(url.get(), *clean)) return std::nullopt;
  return Normalized(url.get());
}

UrlCuts CutNormalUrl(std::string_view url) {
  UrlCuts cuts;
  size_t scheme = url.find("://");
  cuts.scheme_end = scheme == std::string_view::npos ? 0 : scheme + 3;
  cuts.host_end = std::min(url.find_first_of("/?#", cuts.scheme_end), url.size());
  size_t at = url.substr(0, cuts.host_end).rfind('@');
  const bool user_info = at != std::string_view::npos && at >= cuts.scheme_end;
  cuts.host_begin = user_info ? at + 1 : cuts.scheme_end;
  return cuts;
}

std::string UrlOrigin(std::string_view url) {
  UrlCuts cuts = CutNormalUrl(url);
  std::string origin(url.substr(0, cuts.scheme_end));
  return origin.append(url.substr(cuts.host_begin, cuts.host_end - cuts.host_begin));
}

std::string_view UrlHost(std::string_view url) {
  UrlCuts cuts = CutNormalUrl(url);
  std::string_view authority = url.substr(cuts.host_begin, cuts.host_end - cuts.host_begin);
  if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.rfind(':'));
}

std::string_view UrlTarget(std::string_view url) {
  std::string_view target = url.substr(CutNormalUrl(url).host_end);
  return target.empty() || target[0] != '/' ? "/" : target;
}

}  // namespace farm
