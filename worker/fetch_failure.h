// Why a transfer failed, in words a user reads, and whether another try may
// fare better: the one place that sorts libcurl's and HTTP's failures.
#pragma once

#include <string>

typedef void CURL;

namespace farm {

struct FetchRequest;

// libcurl's `code` (a CURLcode) for `easy`, its error text in
// `error_buffer`: "connection refused (...) for URL".
std::string DescribeCurlFailure(int code, CURL* easy, const char* error_buffer,
                                const FetchRequest& request, const std::string& shown_url);

// Transient: the server or the network may serve a later try (a refused or
// broken connection, nothing or half a body received, a timeout). Final:
// a DNS failure, a TLS or scheme error, a body too large.
bool IsTransientCurlFailure(int code);

// HTTP 5xx and 429 are transient; every other 4xx is final.
bool IsTransientStatus(long status);

std::string FormatSeconds(double seconds);

}  // namespace farm
