#include "coordinator/run_files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "coordinator/signals.h"

namespace farm {
namespace {

Status CannotWrite(const std::string& path, int error) {
  return Status::FromErrno("cannot write '" + path + "'", error);
}

// What makes two uses one file. A name not created yet is its folder and its
// name in it, so `-o r.out --summary-json ./r.out` is caught before either
// exists.
struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string new_name;

  bool operator==(const Identity&) const = default;
};

std::string Folder(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

// Nothing when the use cannot be confused with another: not a regular file
// or FIFO, or a path that does not resolve.
std::optional<Identity> Identify(const FileUse& use) {
  struct stat st;
  int r = use.path.empty() ? fstat(use.fd, &st) : stat(use.path.c_str(), &st);
  if (r == 0) {
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) return std::nullopt;
    return Identity{st.st_dev, st.st_ino, ""};
  }
  if (use.path.empty() || errno != ENOENT || stat(Folder(use.path).c_str(), &st) != 0)
    return std::nullopt;
  return Identity{st.st_dev, st.st_ino, std::filesystem::path(use.path).filename().string()};
}

}  // namespace

Status CheckWritable(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return CannotWrite(path, EISDIR);
    if (faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0) return CannotWrite(path, errno);
    return Status::Ok();
  }
  if (errno != ENOENT) return CannotWrite(path, errno);
  if (path.back() == '/') return CannotWrite(path, EISDIR);  // open() would say so, too late
  if (faccessat(AT_FDCWD, Folder(path).c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    return CannotWrite(path, errno);
  return Status::Ok();
}

Status CheckDistinct(std::span<const FileUse> reads, std::span<const FileUse> writes) {
  std::vector<std::optional<Identity>> written;
  for (const FileUse& use : writes) written.push_back(Identify(use));
  for (size_t w = 0; w < writes.size(); ++w) {
    if (!written[w]) continue;
    for (const FileUse& read : reads)
      if (Identify(read) == written[w])
        return Status::Error(writes[w].name + " is the same file as " + read.name +
                             ": farm never writes a file it reads");
    for (size_t other = 0; other < w; ++other)
      if (written[other] == written[w])
        return Status::Error(writes[other].name + " and " + writes[w].name +
                             " are the same file");
  }
  return Status::Ok();
}

Status CheckResumable(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();  // nothing done yet
    return Status::FromErrno("cannot resume from '" + path + "'", errno);
  }
  if (S_ISREG(st.st_mode)) return Status::Ok();
  return Status::Error("--resume needs --output to be a regular file; '" + path +
                       "' is not (a pipe, a FIFO or a device cannot be read back)");
}

Status OpenOutputFile(const std::string& path, bool append, Fd* fd) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  StopSignalsLetIn let_in;
  fd->reset(open(path.c_str(), flags, 0644));
  if (!fd->valid()) return CannotWrite(path, errno);
  return Status::Ok();
}

}  // namespace farm
