// SHA-256 through OpenSSL's libcrypto, fed a piece at a time.
#pragma once

#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace farm {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Starts over, as if freshly made.
  void Reset();
  void Update(std::string_view data);
  // The digest as 64 lowercase hex digits; call Reset() before reusing.
  std::string HexDigest();

 private:
  EVP_MD_CTX* context_;
};

// The digest of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace farm
