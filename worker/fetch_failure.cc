#include "worker/fetch_failure.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>

#include "worker/fetch_engine.h"

namespace farm {

std::string FormatSeconds(double seconds) {
  char text[32];
  snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

std::string DescribeCurlFailure(int curl_code, CURL* easy, const char* error_buffer,
                                const FetchRequest& request, const std::string& shown_url) {
  CURLcode code = static_cast<CURLcode>(curl_code);
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  std::string what;
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
      what = "scheme not allowed (http and https only)";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      what = "DNS lookup failed";
      break;
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      what = os_errno == ECONNREFUSED ? "connection refused" : "cannot connect";
      break;
    }
    case CURLE_OPERATION_TIMEDOUT:
      what = "timeout after " + FormatSeconds(request.timeout_s);
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      what = "too many redirects (more than " + std::to_string(request.max_redirects) + ")";
      break;
    case CURLE_GOT_NOTHING:
      what = "empty reply from the server";
      break;
    case CURLE_PARTIAL_FILE:
      what = "body cut short";
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      what = "connection broken";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      what = "TLS error";
      break;
    default:
      what = "transfer failed";
      break;
  }
  return what + " (" + detail + ") for " + shown_url;
}

bool IsTransientCurlFailure(int code) {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_CONNECT:     // refused, unreachable, connect timeout
    case CURLE_OPERATION_TIMEDOUT:  // timeout_s
    case CURLE_GOT_NOTHING:         // closed before any response
    case CURLE_PARTIAL_FILE:        // closed inside the body
    case CURLE_SEND_ERROR:          // reset while sending
    case CURLE_RECV_ERROR:          // reset while receiving
      return true;
    default:
      return false;
  }
}

bool IsTransientStatus(long status) { return status == 429 || (status >= 500 && status <= 599); }

}  // namespace farm
