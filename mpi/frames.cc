#include "mpi/frames.h"

#include <utility>

namespace farm::mpi {
namespace {

void PutU32(uint32_t value, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t GetU32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

void PutU64(uint64_t value, char* out) {
  PutU32(static_cast<uint32_t>(value), out);
  PutU32(static_cast<uint32_t>(value >> 32), out + 4);
}

uint64_t GetU64(const char* in) { return GetU32(in) | uint64_t{GetU32(in + 4)} << 32; }

}  // namespace

void FrameWriter::Append(FrameKind kind, uint32_t local, uint32_t generation,
                         std::string_view payload) {
  char header[kFrameHeader];
  header[0] = static_cast<char>(kind);
  PutU32(local, header + 1);
  PutU32(generation, header + 5);
  PutU32(static_cast<uint32_t>(payload.size()), header + 9);
  last_lines_ = kind == FrameKind::kLines ? bytes_.size() : std::string::npos;
  bytes_.append(header, kFrameHeader);
  bytes_.append(payload);
}

void FrameWriter::AppendLines(uint32_t local, uint32_t generation, std::string_view lines) {
  Extend(local, generation, lines, false);
}

void FrameWriter::AppendLine(uint32_t local, uint32_t generation, std::string_view line) {
  Extend(local, generation, line, true);
}

// Lines right after lines for the same worker grow that frame.
void FrameWriter::Extend(uint32_t local, uint32_t generation, std::string_view bytes,
                         bool newline) {
  const size_t added = bytes.size() + (newline ? 1 : 0);
  bool grow = false;
  if (last_lines_ != std::string::npos) {
    const char* header = bytes_.data() + last_lines_;
    grow = GetU32(header + 1) == local && GetU32(header + 5) == generation &&
           uint64_t{GetU32(header + 9)} + added <= UINT32_MAX;
  }
  if (grow) {
    char* length = bytes_.data() + last_lines_ + 9;
    PutU32(static_cast<uint32_t>(GetU32(length) + added), length);
    bytes_.append(bytes);
  } else {
    Append(FrameKind::kLines, local, generation, bytes);
    if (newline) PutU32(static_cast<uint32_t>(added), bytes_.data() + last_lines_ + 9);
  }
  if (newline) bytes_.push_back('\n');
}

void FrameWriter::AppendRunning(uint32_t local, uint32_t generation, uint64_t seq,
                                uint64_t age_ns) {
  char payload[16];
  PutU64(seq, payload);
  PutU64(age_ns, payload + 8);
  Append(FrameKind::kRunning, local, generation, std::string_view(payload, sizeof payload));
}

bool DecodeRunning(std::string_view payload, uint64_t* seq, uint64_t* age_ns) {
  if (payload.size() != 16) return false;
  *seq = GetU64(payload.data());
  *age_ns = GetU64(payload.data() + 8);
  return true;
}

std::string FrameWriter::Take() {
  last_lines_ = std::string::npos;
  return std::exchange(bytes_, std::string());
}

bool FrameReader::Next(Frame* frame) {
  if (rest_.empty() || !status_.ok()) return false;
  if (rest_.size() < kFrameHeader) {
    status_ = Status::Error("a truncated frame header");
    return false;
  }
  uint8_t kind = static_cast<uint8_t>(rest_[0]);
  uint32_t length = GetU32(rest_.data() + 9);
  if (kind < static_cast<uint8_t>(FrameKind::kStart) ||
      kind > static_cast<uint8_t>(kLastFrameKind)) {
    status_ = Status::Error("a frame of unknown kind " + std::to_string(kind));
    return false;
  }
  if (rest_.size() - kFrameHeader < length) {
    status_ = Status::Error("a truncated frame");
    return false;
  }
  frame->kind = static_cast<FrameKind>(kind);
  frame->local = GetU32(rest_.data() + 1);
  frame->generation = GetU32(rest_.data() + 5);
  frame->payload = rest_.substr(kFrameHeader, length);
  rest_.remove_prefix(kFrameHeader + length);
  return true;
}

}  // namespace farm::mpi
