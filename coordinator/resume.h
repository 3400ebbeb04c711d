// --resume: which tasks an earlier run already finished. Ids are compared as
// canonical JSON text (`7`, `"x"`), the way result lines print them; a task
// without an id has its line number as id, as everywhere else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace farm {

// A set of 64-bit fingerprints, open addressing: 12 to 23 bytes an entry.
class FingerprintSet {
 public:
  // Adds `fingerprint`; false if it was already there.
  bool Insert(uint64_t fingerprint);
  size_t size() const { return size_; }

 private:
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(1024);  // 0: empty
  size_t size_ = 0;
};

// An exact set of ids (JSON texts, which hold no raw '\n'), compact: their
// bytes one after another in an arena, and an open-addressing table of
// (hash, offset). About the id's length plus 24 to 47 bytes an entry.
class IdSet {
 public:
  // Adds `id`; false if it was already there.
  bool Insert(std::string_view id);
  bool Contains(std::string_view id) const;
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    uint64_t offset = 0;
  };
  static uint64_t Hash(std::string_view id);
  // The slot holding `id`, or the empty slot where it would go.
  size_t Find(std::string_view id, uint64_t hash) const;
  void Grow();

  std::string arena_;  // each id followed by '\n'
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  size_t size_ = 0;
};

// "Is this id done?": what --resume asks of what an earlier run left, a
// results file (ResumeSet) or a database (DbDoneIds).
class DoneIds {
 public:
  virtual ~DoneIds() = default;
  // Whether the task with canonical id `id_json`, on input line `line`,
  // already has an ok result.
  virtual bool Done(const std::string& id_json, uint64_t line) = 0;
};

class ResumeSet : public DoneIds {
 public:
  // Reads the result lines in the file at `path`; a missing file means
  // nothing is done yet. A torn last line (a crash in the middle of a write)
  // is ignored and cut off, so appended lines start on a fresh line; a whole
  // result line without its '\n' gets one. Lines that are not results are
  // ignored.
  Status Load(const std::string& path);

  // Whether the task with this id already has an "ok":true line. Says on
  // stderr if the input repeats the id (judged by a 64-bit fingerprint: a
  // false alarm is as rare as 1 in 2^64 / ids, and costs only a message).
  bool Done(const std::string& id_json, uint64_t line) override;

  uint64_t done_ids() const { return done_.size(); }
  uint64_t torn_bytes() const { return torn_bytes_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  // Notes the id of an ok result line; false if `line` is not a result.
  bool Take(std::string_view line);

  // Memory follows the ids done, and 12 to 23 bytes for each id read.
  IdSet done_;
  FingerprintSet seen_;
  uint64_t torn_bytes_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace farm
