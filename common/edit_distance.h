#pragma once

#include <string_view>

namespace farm {

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

// The closest of the candidates shown to it, if it is a near miss of `name`
// (fewer than 3 edits, and fewer than the name is long, as ninja judges):
//   NearMiss hint("fbi"); for (auto t : types) hint.Consider(t); hint.best() == "fib"
class NearMiss {
 public:
  explicit NearMiss(std::string_view name) : name_(name) {}
  void Consider(std::string_view candidate) {
    size_t distance = EditDistance(name_, candidate);
    if (distance < best_distance_ && distance < name_.size())
      best_distance_ = distance, best_ = candidate;
  }
  // Empty when no candidate was near.
  std::string_view best() const { return best_; }

 private:
  std::string_view name_;
  std::string_view best_;
  size_t best_distance_ = 3;
};

}  // namespace farm
