// Where result lines go: buffered writes of whole lines to the output, in
// completion order or, with keep_order, in input order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

class ResultSink {
 public:
  // Takes over `fd` (standard output is not closed).
  ResultSink(Fd fd, bool keep_order);
  ~ResultSink();

  // Takes the result line (without '\n') of task `seq`. Every seq from 1 up
  // gets exactly one Add() or Skip().
  void Add(uint64_t seq, std::string_view line, bool ok);
  // Marks `seq` as having no line in this run (already done, on --resume).
  void Skip(uint64_t seq);

  // With keep_order, how many lines wait for an earlier one. The dispatcher
  // holds back when this grows, as GNU parallel -k does.
  size_t held() const { return held_.size(); }
  // The smallest seq not yet written (keep_order only).
  uint64_t next_seq() const { return next_seq_; }

  // Interrupted: emits the lines held for keep_order as they are, in input
  // order with gaps, so no result already received is lost.
  void ReleaseHeld();

  // Writes what is buffered. Lines are written whole or not at all.
  Status Flush();

  uint64_t ok() const { return ok_; }
  uint64_t failed() const { return failed_; }
  uint64_t written() const { return ok_ + failed_; }

 private:
  void Emit(std::string_view line);
  void Release();

  Fd fd_;
  bool keep_order_;
  std::string buffer_;
  std::map<uint64_t, std::string> held_;  // keep_order: lines ahead of next_seq_; "" = skipped
  uint64_t next_seq_ = 1;
  uint64_t ok_ = 0;
  uint64_t failed_ = 0;
  Status status_;
};

}  // namespace farm
