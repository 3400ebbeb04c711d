#include "coordinator/run_db.h"

#include <nlohmann/json.hpp>

#include "coordinator/signals.h"
#include "worker/redact_url.h"

namespace farm {

namespace {

// "Name: ***" for a --header's "Name: value": a header may carry a token.
std::string RedactHeader(std::string_view header) {
  return std::string(header.substr(0, header.find(':'))) + ": ***";
}

// The command line as the runs row keeps it, without its secrets: a URL's
// password, as in every URL farm writes, and the values of --header.
nlohmann::json CommandLineJson(const RunOptions& options) {
  constexpr std::string_view kHeaderIs = "--header=";
  nlohmann::json line = nlohmann::json::array({"farm", options.command});
  bool header_next = false;
  for (const std::string& arg : options.arguments) {
    if (header_next) {
      line.push_back(RedactHeader(arg));
    } else if (arg.starts_with(kHeaderIs)) {
      line.push_back(std::string(kHeaderIs) + RedactHeader(arg.substr(kHeaderIs.size())));
    } else {
      line.push_back(RedactPassword(arg));
    }
    header_next = !header_next && arg == "--header";
  }
  return line;
}

}  // namespace

Status RunDb::Start(const RunOptions& options, int workers, ResultSink* sink, TaskSource* source) {
  if (options.db.empty()) return Status::Ok();
  const nlohmann::json command_line = CommandLineJson(options);
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
