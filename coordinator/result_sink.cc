#include "coordinator/result_sink.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "coordinator/run_files.h"
#include "coordinator/signals.h"

namespace farm {
namespace {

constexpr size_t kFlushAt = 256 * 1024;

}  // namespace

ResultSink::ResultSink(std::string path, bool append, bool keep_order)
    : path_(std::move(path)), append_(append), keep_order_(keep_order) {}

ResultSink::~ResultSink() {
  if (opened()) (void)Flush();
  if (fd_.get() == STDOUT_FILENO) fd_.release();
}

Status ResultSink::Open() {
  if (opened() || stopped_) return status_;
  if (path_.empty()) {
    fd_.reset(STDOUT_FILENO);
  } else if (Status s = OpenOutputFile(path_, append_, &fd_); !s.ok()) {
    Fail(Failure::kWriteError, s);
    return status_;
  }
  // Only a pipe, a FIFO, a terminal or a socket can block a write for as
  // long as its reader pleases; a regular file needs no signal juggling.
  struct stat st;
  blocking_reader_ = fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode);
  return status_;
}

void ResultSink::Emit(std::string_view line, bool ok) {
  if (echo_ && failure_ == Failure::kNone) ok = EchoLine(line) && ok;
  buffer_.append(line);
  buffer_.push_back('\n');
  buffered_ok_.push_back(ok);
  if (copy_ != nullptr && !stopped_ && !copy_->Add(line)) {
    copy_failed_ = true;
    Fail(Failure::kWriteError, copy_->status());
  }
  if (buffer_.size() >= kFlushAt) (void)Flush();
}

// A failed echo ends the run as a failed output does, but the output goes
// on, so that every task that ended still has its line (--resume skips it).
bool ResultSink::EchoLine(std::string_view line) {
  Echoed echoed = echo_(line);
  if (echoed.write_errno == EINTR) {  // a second Ctrl-C while nobody read it
    failure_ = Failure::kAbandoned;
    status_ = Status::Error("stopped while standard output was not being read");
  } else if (echoed.write_errno != 0) {
    failure_ = echoed.write_errno == EPIPE ? Failure::kReaderGone : Failure::kWriteError;
    status_ = Status::FromErrno("cannot write the jobs' output to standard output",
                                echoed.write_errno);
  }
  return echoed.whole;
}

void ResultSink::Add(uint64_t seq, std::string_view line, bool ok) {
  ++(ok ? received_ok_ : received_failed_);
  if (!keep_order_) return Emit(line, ok);
  if (seq != next_seq_) {
    held_.emplace(seq, std::make_pair(std::string(line), ok));
    return;
  }
  Emit(line, ok);
  ++next_seq_;
  Release();
}

void ResultSink::Skip(uint64_t seq) {
  if (!keep_order_) return;
  if (seq != next_seq_) {
    held_.emplace(seq, std::make_pair(std::string(), false));
    return;
  }
  ++next_seq_;
  Release();
}

void ResultSink::Release() {
  for (auto it = held_.begin(); it != held_.end() && it->first == next_seq_;
       it = held_.erase(it), ++next_seq_) {
    if (!it->second.first.empty()) Emit(it->second.first, it->second.second);
  }
}

void ResultSink::ReleaseHeld() {
  for (auto& [seq, line] : held_)
    if (!line.first.empty()) Emit(line.first, line.second);
  held_.clear();
}

void ResultSink::Commit(size_t bytes) {
  const auto written_lines = buffered_ok_.begin() +
                             (bytes == buffer_.size()
                                  ? static_cast<ptrdiff_t>(buffered_ok_.size())
                                  : std::count(buffer_.begin(), buffer_.begin() + bytes, '\n'));
  const uint64_t lines = static_cast<uint64_t>(written_lines - buffered_ok_.begin());
  const uint64_t ok = static_cast<uint64_t>(std::count(buffered_ok_.begin(), written_lines, 1));
  ok_ += ok;
  failed_ += lines - ok;
  buffered_ok_.erase(buffered_ok_.begin(), written_lines);
  buffer_.erase(0, bytes);
}

std::string ResultSink::Name() const {
  return path_.empty() ? "standard output" : "'" + path_ + "'";
}

void ResultSink::Fail(Failure failure, Status status) {
  stopped_ = true;
  failure_ = failure;
  status_ = std::move(status);
}

void ResultSink::Abandon() {
  Fail(Failure::kAbandoned, Status::Error("stopped while " + Name() + " was not being read"));
}

Status ResultSink::Flush() {
  if (copy_ != nullptr) copy_->Flush();
  if (buffer_.empty()) return status_;
  if (!opened()) (void)Open();
  const int signals_before = StopSignals::count();
  size_t done = 0;
  while (!stopped_ && done < buffer_.size()) {
    size_t size = buffer_.size() - done;
    if (blocking_reader_ && (size = BytesToWriteNow(fd_.get(), size)) == 0) {
      Abandon();
      break;
    }
    ssize_t n;
    {
      std::optional<StopSignalsLetIn> let_in;
      if (blocking_reader_) let_in.emplace();
      n = ::write(fd_.get(), buffer_.data() + done, size);
    }
    if (n > 0) done += static_cast<size_t>(n);
    if (n < 0 && errno != EINTR) {
      int error = errno;
      Fail(error == EPIPE ? Failure::kReaderGone : Failure::kWriteError,
           Status::FromErrno("cannot write results to " + Name(), error));
    } else if (n == 0) {
      Fail(Failure::kWriteError, Status::Error("the output accepts no more bytes"));
    } else if (StopSignals::count() > signals_before) {
      if (StopSignals::count() < 2) break;  // keep the rest: the caller drains
      Abandon();
    }
  }
  Commit(done);
  if (stopped_) {  // nothing more goes out: count what is lost
    unwritten_ += buffered_ok_.size();
    buffer_.clear();
    buffered_ok_.clear();
  }
  return status_;
}

Status ResultSink::Finish() {
  // After a failure the lines held for one before them are lost too, and
  // counted: that one may never come (its task abandoned with the run).
  if (failure_ != Failure::kNone) ReleaseHeld();
  do (void)Flush();  // after a failure, still counts what is dropped
  while (!buffer_.empty());
  return status_;
}

}  // namespace farm
