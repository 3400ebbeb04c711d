#include "worker/sha256.h"

#include <openssl/evp.h>

#include <new>

namespace farm {

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr) throw std::bad_alloc();
  Reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::Reset() { EVP_DigestInit_ex(context_, EVP_sha256(), nullptr); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(context_, data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_, digest, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 hash;
  hash.Update(data);
  return hash.HexDigest();
}

}  // namespace farm
