#include "coordinator/run_db.h"

#include <nlohmann/json.hpp>

#include "coordinator/signals.h"
#include "worker/redact_url.h"

namespace farm {

Status RunDb::Start(const RunOptions& options, int workers, ResultSink* sink, TaskSource* source) {
  if (options.db.empty()) return Status::Ok();
  nlohmann::json command_line = nlohmann::json::array({"farm", options.command});
  // As every URL farm writes: a password in one is not written.
  for (const std::string& arg : options.arguments) command_line.push_back(RedactPassword(arg));
  DbRunInfo info{
      .seed = options.seed,
      .command_line = command_line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      .mode = ModeName(options.mode),
      .workers = workers};
  if (Status s = writer_.Open(options.db, info, options.resume); !s.ok()) return s;
  if (options.resume) {  // the run the writer continues
    if (Status s = done_.Open(options.db, writer_.run()); !s.ok()) return s;
    source->ResumeFrom(&done_);
    resume_ = true;
  }
  sink->CopyTo(&writer_);
  sink_ = sink;
  command_ = options.command;
  return Status::Ok();
}

RunDb::~RunDb() {
  if (sink_ != nullptr) sink_->CopyTo(nullptr);
}

void RunDb::Drain() {
  (void)writer_.Drain();  // a failure is Finish's to say
}

ExitStatus RunDb::Finish(const RunSummary& summary, ExitStatus exit_status) {
  if (!writer_.opened()) return exit_status;
  // The sink failed with it, and said so.
  const bool said = sink_ != nullptr && sink_->copy_failed();
  const Status lookups = done_.status();
  done_.Close();
  Status status = writer_.Finish(SummaryJson(summary));
  if (status.ok() && resume_) status = lookups;
  if (status.ok()) return exit_status;
  if (!said) Say("farm " + command_ + ": " + status.message() + "\n");
  return exit_status == kExitInterrupted ? exit_status : kExitCannotComplete;
}

}  // namespace farm
