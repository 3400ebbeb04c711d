// Where a fetched body is saved, and the file that holds it while it
// streams in: bodies are written under a temporary name and renamed into
// place only when complete, so no partial file ever has its final name.
#pragma once

#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

// "<first 16 hex digits of sha256(url)>-<sanitized basename>": the last path
// segment, percent-decoded, with every byte outside [A-Za-z0-9._-] made '_'
// and leading dots dropped; "index" when nothing is left. At most 255 bytes
// and never "." or "..", so no URL can name a file outside its directory.
std::string SavedFileName(std::string_view url);

// A body on its way to disk. Destroying it before Commit() removes it.
class BodyFile {
 public:
  BodyFile() = default;
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;
  ~BodyFile() { Discard(); }

  // Creates a hidden temporary file in `dir`, creating `dir` if needed.
  Status Open(const std::string& dir);
  bool is_open() const { return fd_.valid(); }
  Status Write(std::string_view data);
  // Empties the file: the body starts over (a retried request).
  Status Truncate();
  // Renames the complete file to `path` (in the same directory).
  Status Commit(const std::string& path);
  // Removes the temporary file, if any.
  void Discard();

 private:
  std::string TempName(const std::string& dir, int attempt) const;

  Fd fd_;
  std::string temp_path_;
};

}  // namespace farm
