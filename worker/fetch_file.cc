#include "worker/fetch_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <filesystem>

#include "worker/sha256.h"

namespace farm {
namespace {

constexpr size_t kMaxFileName = 255;  // NAME_MAX on Linux file systems
constexpr size_t kHashDigits = 16;
// The fallback's temporary files: .farm-<pid>-<object>-<attempt>.part
constexpr std::string_view kTempPrefix = ".farm-";
constexpr std::string_view kTempSuffix = ".part";

Status MakeDirectory(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::Error("cannot create '" + dir + "': " + error.message());
  return Status::Ok();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The URL's last path segment, still percent-encoded: after the authority,
// before any query or fragment.
std::string_view LastSegment(std::string_view url) {
  size_t scheme_end = url.find("://");
  size_t path_start = scheme_end == std::string_view::npos ? 0 : url.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos) return {};
  std::string_view path = url.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  return path.substr(path.rfind('/') + 1);
}

bool IsSafeByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string SavedFileName(std::string_view url) {
  std::string_view encoded = LastSegment(url);
  std::string base;
  for (size_t i = 0; i < encoded.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(encoded[i]);
    // Decode first, so that %2F or %2E%2E are judged as the bytes they stand for.
    if (c == '%' && i + 2 < encoded.size() && HexValue(encoded[i + 1]) >= 0 &&
        HexValue(encoded[i + 2]) >= 0) {
      c = static_cast<unsigned char>(HexValue(encoded[i + 1]) * 16 + HexValue(encoded[i + 2]));
      i += 2;
    }
    base.push_back(IsSafeByte(c) ? static_cast<char>(c) : '_');
  }
  base.erase(0, base.find_first_not_of('.'));
  if (base.empty()) base = "index";
  std::string name = Sha256Hex(url).substr(0, kHashDigits) + "-";
  name.append(base, 0, kMaxFileName - name.size());
  return name;
}

// A name no other live BodyFile uses: this process and this object. A file
// left by an earlier process under the same pid is skipped (O_EXCL).
std::string BodyFile::TempName(const std::string& dir, int attempt) const {
  char name[96];
  snprintf(name, sizeof name, "/%.*s%d-%p-%d%.*s", static_cast<int>(kTempPrefix.size()),
           kTempPrefix.data(), static_cast<int>(getpid()), static_cast<const void*>(this), attempt,
           static_cast<int>(kTempSuffix.size()), kTempSuffix.data());
  return dir + name;
}

Status BodyFile::Open(const std::string& dir) {
  Discard();
  for (bool made_dir = false;;) {
    // Mode 0666 before the umask, as any downloader creates its files.
    int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) {
      fd_.reset(fd);
      dir_ = dir;
      return Status::Ok();
    }
    if (errno == ENOENT && !made_dir) {
      made_dir = true;
      if (Status s = MakeDirectory(dir); !s.ok()) return s;
      continue;
    }
    // The file system has no O_TMPFILE (EOPNOTSUPP), or the kernel none (EISDIR).
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return OpenNamed(dir);
    return Status::FromErrno("cannot create a file in '" + dir + "'", errno);
  }
}

Status BodyFile::OpenNamed(const std::string& dir) {
  Discard();
  bool made_dir = false;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = TempName(dir, attempt);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      fd_.reset(fd);
      temp_path_ = std::move(path);
      return Status::Ok();
    }
    if (errno == ENOENT && !made_dir) {
      made_dir = true;
      if (Status s = MakeDirectory(dir); !s.ok()) return s;
      --attempt;
      continue;
    }
    if (errno != EEXIST) return Status::FromErrno("cannot create a file in '" + dir + "'", errno);
  }
  return Status::Error("cannot create a temporary file in '" + dir + "'");
}

Status BodyFile::Write(std::string_view data) {
  Status status = WriteAll(fd_.get(), data);
  if (!status.ok()) return Status::Error("cannot write " + Where() + ": " + status.message());
  return status;
}

Status BodyFile::Truncate() {
  if (ftruncate(fd_.get(), 0) != 0 || lseek(fd_.get(), 0, SEEK_SET) != 0)
    return Status::FromErrno("cannot truncate " + Where(), errno);
  return Status::Ok();
}

Status BodyFile::Commit(const std::string& path) {
  if (named()) {
    fd_.reset();
    if (::rename(temp_path_.c_str(), path.c_str()) != 0) {
      Status status = Status::FromErrno("cannot rename to '" + path + "'", errno);
      Discard();
      return status;
    }
    temp_path_.clear();
    return Status::Ok();
  }
  // linkat() never replaces a file: an older one is removed first. The name
  // is then briefly absent, but never holds a partial body.
  std::string self = "/proc/self/fd/" + std::to_string(fd_.get());
  int error = 0;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      fd_.reset();
      return Status::Ok();
    }
    error = errno;
    if (error != EEXIST || (::unlink(path.c_str()) != 0 && errno != ENOENT)) break;
  }
  Discard();
  return Status::FromErrno("cannot link the body to '" + path + "'", error);
}

void RemoveBodyFilesOf(const std::string& dir, int pid) {
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return;
  std::string prefix = std::string(kTempPrefix) + std::to_string(pid) + "-";
  while (dirent* entry = readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name.starts_with(prefix) && name.ends_with(kTempSuffix))
      unlinkat(dirfd(listing), entry->d_name, 0);
  }
  closedir(listing);
}

std::string BodyFile::Where() const {
  return named() ? "'" + temp_path_ + "'" : "a new file in '" + dir_ + "'";
}

void BodyFile::Discard() {
  fd_.reset();
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

}  // namespace farm
