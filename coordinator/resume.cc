#include "coordinator/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/json_check.h"
#include "common/line_splitter.h"
#include "common/rng.h"
#include "common/canonical_id.h"
#include "common/wire.h"

namespace farm {
namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr uint64_t kMaxDuplicatesShown = 10;

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
    if (depth_ == 1 && key_ == "id") id_ = CanonicalIdOf(value);
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
    for (LineSplitter::Event event; (event = splitter.Next(&line)) != LineSplitter::Event::kNone;)
      if (event == LineSplitter::Event::kLine) Take(line);
  }
  if (size == whole) return Status::Ok();
  // Bytes after the last '\n': a whole result line that only lacks its
  // '\n' (no prefix of a JSON object is one), or a line cut short.
  std::string_view last;
  if (splitter.Finish(&last) == LineSplitter::Event::kLine && Take(last)) {
    if (write(fd.get(), "\n", 1) != 1)
      return Status::FromErrno("end the last line of '" + path + "'", errno);
    return Status::Ok();
  }
  torn_bytes_ = size - whole;
  if (ftruncate(fd.get(), static_cast<off_t>(whole)) != 0)
    return Status::FromErrno("cut the torn last line of '" + path + "'", errno);
  return Status::Ok();
}

bool ResumeSet::Take(std::string_view line) {
  // The checker that judges input lines judges result lines too.
  if (!IsValidJson(line)) return false;
  IdAndOk result;
  nlohmann::json::sax_parse(line, &result, nlohmann::json::input_format_t::json, false);
  if (!result.found()) return false;
  if (result.ok()) done_.Insert(result.id());
  return true;
}

bool FingerprintSet::Insert(uint64_t fingerprint) {
  if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
  if (10 * (size_ + 1) > 7 * slots_.size()) {  // load at most 0.7
    std::vector<uint64_t> old(2 * slots_.size());
    old.swap(slots_);
    size_ = 0;
    for (uint64_t f : old)
      if (f != 0) Insert(f);
  }
  size_t mask = slots_.size() - 1;
  for (size_t i = Mix64(fingerprint) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == fingerprint) return false;
    if (slots_[i] == 0) {
      slots_[i] = fingerprint;
      ++size_;
      return true;
    }
  }
}

uint64_t IdSet::Hash(std::string_view id) {
  uint64_t hash = std::hash<std::string_view>()(id);
  return hash == 0 ? 1 : hash;
}

size_t IdSet::Find(std::string_view id, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = Mix64(hash) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.hash == 0) return i;
    if (slot.hash == hash && arena_.compare(slot.offset, id.size(), id) == 0 &&
        arena_[slot.offset + id.size()] == '\n')
      return i;
  }
}

void IdSet::Grow() {
  std::vector<Slot> old(2 * slots_.size());
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash == 0) continue;
    size_t i = Mix64(slot.hash) & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

bool IdSet::Insert(std::string_view id) {
  if (10 * (size_ + 1) > 7 * slots_.size()) Grow();  // load at most 0.7
  uint64_t hash = Hash(id);
  Slot& slot = slots_[Find(id, hash)];
  if (slot.hash != 0) return false;
  slot = {hash, arena_.size()};
  arena_.append(id).push_back('\n');
  ++size_;
  return true;
}

bool IdSet::Contains(std::string_view id) const {
  uint64_t hash = Hash(id);
  return slots_[Find(id, hash)].hash != 0;
}

bool ResumeSet::Done(const std::string& id_json, uint64_t line) {
  if (!seen_.Insert(std::hash<std::string_view>()(id_json))) {
    if (++duplicates_ <= kMaxDuplicatesShown)
      fprintf(stderr, "farm: line %llu repeats id %s%s\n", static_cast<unsigned long long>(line),
              id_json.c_str(),
              duplicates_ == kMaxDuplicatesShown ? " (further repeats not shown)" : "");
  }
  return done_.Contains(id_json);
}

}  // namespace farm
