// The files a command reads and writes, checked before anything runs. What
// farm promises about them: a run refused (exit 2) leaves every file as it
// was, because every check here only looks; no file is both read and
// written; and no two outputs are one file.
#pragma once

#include <span>
#include <string>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

// One file a command uses: a path the user gave, or an open standard stream.
struct FileUse {
  std::string name;  // for messages: "--output 'r.jsonl'", "standard input"
  std::string path;  // empty: the file open as `fd`
  int fd = -1;
};

// Checks, without creating or changing anything, that `path` can be opened
// for writing: an existing file that is not a folder and that we may write,
// or a new name in a folder that exists and that we may write.
Status CheckWritable(const std::string& path);

// A usage error naming both files when a file written is the same file
// (device and inode; for a name not created yet, the same name in the same
// folder) as a file read or as another file written. Only regular files and
// FIFOs count: a terminal or /dev/null may well be both read and written.
Status CheckDistinct(std::span<const FileUse> reads, std::span<const FileUse> writes);

// --resume reads the output before appending to it: that needs a regular
// file (or none yet). A pipe or a FIFO would be read until it ends, which is
// never, since farm itself holds its write end.
Status CheckResumable(const std::string& path);

// Opens an output that passed CheckWritable, created or truncated, or with
// `append` added to. Ctrl-C interrupts an open that waits for the reader of a
// FIFO.
Status OpenOutputFile(const std::string& path, bool append, Fd* fd);

}  // namespace farm
