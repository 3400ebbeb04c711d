#include "worker/redact_url.h"

namespace farm {

std::string RedactPassword(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || url.substr(0, scheme_end).find('/') != url.npos)
    return std::string(url);
  size_t start = scheme_end + 3;
  std::string_view authority = url.substr(start, url.find_first_of("/?#", start) - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  size_t colon = authority.find(':');
  if (colon > at) return std::string(url);  // a user name alone, or a port
  std::string redacted(url.substr(0, start + colon + 1));
  redacted += "***";
  redacted += url.substr(start + at);
  return redacted;
}

}  // namespace farm
