// Where a fetched body is saved, and the file that holds it while it
// streams in. A body is written to a file without a name (O_TMPFILE) and
// linked under its final name only when complete: however the transfer ends,
// the worker killed included, no partial file is left behind. On a file
// system without O_TMPFILE (NFS, some FUSE) the file has a hidden temporary
// name instead, `.farm-<pid>-….part`, renamed when complete; whoever reaps a
// worker that died removes its files (RemoveBodyFilesOf).
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

  // Creates the file in `dir`, creating `dir` if needed: without a name
  // where the file system allows it, else under a hidden temporary name.
  Status Open(const std::string& dir);
  // Tests: the fallback for file systems without O_TMPFILE, on any.
  Status OpenNamed(const std::string& dir);
  // Whether the file has a name yet (the fallback).
  bool named() const { return !temp_path_.empty(); }
  bool is_open() const { return fd_.valid(); }
  Status Write(std::string_view data);
  // Empties the file: the body starts over (a retried request).
  Status Truncate();
  // Puts the complete file at `path` (in the same directory), replacing
  // whatever file was there.
  Status Commit(const std::string& path);
  // Removes the temporary file, if any.
  void Discard();

 private:
  std::string TempName(const std::string& dir, int attempt) const;
  std::string Where() const;  // the file, for messages

  Fd fd_;
  std::string temp_path_;  // empty for a file without a name
  std::string dir_;
};

// Removes the temporary body files that process `pid` left in `dir` (the
// fallback's named ones; files without a name vanish with their process).
// For the coordinator, once it has reaped a worker that died.
void RemoveBodyFilesOf(const std::string& dir, int pid);

}  // namespace farm
