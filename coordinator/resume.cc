#include "coordinator/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/line_splitter.h"
#include "common/wire.h"

namespace farm {
namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr uint64_t kMaxDuplicatesShown = 10;

std::string DumpId(const nlohmann::json& id) {
  return id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Reads "id" and "ok" from the top level of a result line and stops there:
// result lines put them first, so a 20 MB fib line costs a few bytes.
class IdAndOk : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool found() const { return !id_.empty() && ok_seen_; }
  bool ok() const { return ok_; }
  const std::string& id() const { return id_; }

  bool null() override { return Value(); }
  bool boolean(bool value) override {
    if (depth_ == 1 && key_ == "ok") ok_seen_ = true, ok_ = value;
    return Value();
  }
  bool number_integer(number_integer_t value) override {
    if (depth_ == 1 && key_ == "id") id_ = std::to_string(value);
    return Value();
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (depth_ == 1 && key_ == "id") id_ = std::to_string(value);
    return Value();
  }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t& value) override {
    if (depth_ == 1 && key_ == "id") id_ = DumpId(value);
    return Value();
  }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return ++depth_, true; }
  bool key(string_t& value) override {
    if (depth_ == 1) key_ = value;
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override { return ++depth_, true; }
  bool end_array() override { return --depth_, true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Value() { return !found(); }  // false stops the parse

  int depth_ = 0;
  std::string key_;
  std::string id_;
  bool ok_ = false;
  bool ok_seen_ = false;
};

}  // namespace

std::string CanonicalId(const nlohmann::json& task, uint64_t line) {
  if (task.is_object()) {
    auto id = task.find("id");
    if (id != task.end() && (id->is_string() || id->is_number_integer())) return DumpId(*id);
  }
  return std::to_string(line);
}

Status ResumeSet::Load(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("cannot resume from '" + path + "'", errno);
  }
  LineSplitter splitter(wire::kMaxReplyLine);
  std::string chunk(kReadChunk, '\0');
  uint64_t size = 0;
  uint64_t whole = 0;  // bytes up to the last '\n'
  for (;;) {
    ssize_t n = read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read '" + path + "'", errno);
    if (n == 0) break;
    if (const void* last = memrchr(chunk.data(), '\n', static_cast<size_t>(n)))
      whole = size + static_cast<uint64_t>(static_cast<const char*>(last) - chunk.data()) + 1;
    size += static_cast<uint64_t>(n);
    splitter.Feed(std::string_view(chunk.data(), static_cast<size_t>(n)));
    std::string_view line;
    for (LineSplitter::Event event; (event = splitter.Next(&line)) != LineSplitter::Event::kNone;) {
      if (event != LineSplitter::Event::kLine) continue;
      IdAndOk result;
      nlohmann::json::sax_parse(line, &result, nlohmann::json::input_format_t::json, false);
      if (!result.found() || !result.ok()) continue;
      uint8_t& flags = ids_[result.id()];
      if (!(flags & kDone)) ++done_ids_;
      flags |= kDone;
    }
  }
  // Bytes after the last '\n' are a line cut short.
  torn_bytes_ = size - whole;
  if (torn_bytes_ > 0 && ftruncate(fd.get(), static_cast<off_t>(whole)) != 0)
    return Status::FromErrno("cut the torn last line of '" + path + "'", errno);
  return Status::Ok();
}

bool ResumeSet::Done(const std::string& id_json, uint64_t line) {
  uint8_t& flags = ids_[id_json];
  if (flags & kSeen) {
    if (++duplicates_ <= kMaxDuplicatesShown)
      fprintf(stderr, "farm: line %llu repeats id %s%s\n", static_cast<unsigned long long>(line),
              id_json.c_str(),
              duplicates_ == kMaxDuplicatesShown ? " (further repeats not shown)" : "");
  }
  flags |= kSeen;
  return flags & kDone;
}

}  // namespace farm
