#include "mpi/mpi_link.h"

#include <stdio.h>
#include <stdlib.h>

#include <climits>
#include <thread>

namespace farm::mpi {
namespace {

constexpr int kTag = 7;

}  // namespace

MpiLink::~MpiLink() {
  Drain(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  for (Send& send : sends_) {
    MPI_Request_free(&send.request);
    new std::string(std::move(send.buffer));  // leaked on purpose: MPI may still read it
  }
}

void MpiLink::Post(int rank, std::string message) {
  if (message.size() > INT_MAX) {
    // Frames are flushed long before this; reaching it is a bug.
    fprintf(stderr, "farm: an MPI message of %zu bytes\n", message.size());
    abort();
  }
  sends_.push_back({MPI_REQUEST_NULL, std::move(message)});
  Send& send = sends_.back();
  MPI_Isend(send.buffer.data(), static_cast<int>(send.buffer.size()), MPI_BYTE, rank, kTag,
            MPI_COMM_WORLD, &send.request);
}

void MpiLink::Progress() {
  // Sends complete in order to each rank; testing from the front until one
  // is pending keeps this cheap, and later ones are freed on a later call.
  for (auto it = sends_.begin(); it != sends_.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    if (!done) break;
    it = sends_.erase(it);
  }
}

bool MpiLink::Receive(int* source, std::string* message) {
  int found = 0;
  MPI_Message handle;
  MPI_Status status;
  MPI_Improbe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &found, &handle, &status);
  if (!found) return false;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  message->resize(static_cast<size_t>(count));
  MPI_Mrecv(message->data(), count, MPI_BYTE, &handle, MPI_STATUS_IGNORE);
  *source = status.MPI_SOURCE;
  return true;
}

bool MpiLink::Drain(std::chrono::steady_clock::time_point until) {
  for (;;) {
    Progress();
    if (sends_.empty()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

}  // namespace farm::mpi
