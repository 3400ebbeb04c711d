#include "coordinator/flags.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/edit_distance.h"

namespace farm {
namespace {

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

Status UnknownFlag(std::string_view word, std::span<const Flag> flags) {
  std::string message = "unknown option " + Quote(word);
  std::string_view best;
  size_t best_distance = 3;
  std::string_view name = word.substr(0, word.find('='));
  for (const Flag& flag : flags) {
    size_t distance = EditDistance(name, flag.name);
    if (distance < best_distance) best_distance = distance, best = flag.name;
  }
  if (!best.empty()) message += " (did you mean " + Quote(best) + "?)";
  return Status::Error(message);
}

}  // namespace

Status ParseFlags(std::span<char* const> args, std::span<const Flag> flags,
                  std::vector<std::string>* positional) {
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view word = args[i];
    if (only_positional || word == "-" || word.size() < 2 || word[0] != '-') {
      positional->emplace_back(word);
      continue;
    }
    if (word == "--") {
      only_positional = true;
      continue;
    }
    const Flag* match = nullptr;
    std::string_view value;
    bool has_value = false;
    if (word[1] == '-') {
      size_t equals = word.find('=');
      std::string_view name = word.substr(0, equals);
      for (const Flag& flag : flags)
        if (flag.name == name) match = &flag;
      if (equals != std::string_view::npos) value = word.substr(equals + 1), has_value = true;
    } else {
      for (const Flag& flag : flags)
        if (flag.alias == word[1]) match = &flag;
      if (word.size() > 2) value = word.substr(2), has_value = true;
    }
    if (match == nullptr) return UnknownFlag(word, flags);
    if (!match->takes_value()) {
      if (has_value) return Status::Error(std::string(match->name) + " takes no value");
      if (Status s = match->apply(""); !s.ok()) return s;
      continue;
    }
    if (!has_value) {
      if (i + 1 == args.size()) return Status::Error(std::string(match->name) + " needs a value");
      value = args[++i];
    }
    if (Status s = match->apply(value); !s.ok()) return s;
  }
  return Status::Ok();
}

std::vector<Flag> AllFlags(std::span<const FlagSection> sections) {
  std::vector<Flag> flags;
  for (const FlagSection& section : sections)
    flags.insert(flags.end(), section.flags.begin(), section.flags.end());
  return flags;
}

Status ParseChoice(std::string_view flag, std::string_view choices, std::string_view value,
                   size_t* index) {
  std::string expected;  // "a, b or c"
  size_t i = 0;
  for (size_t start = 0; start <= choices.size(); ++i) {
    size_t bar = std::min(choices.find('|', start), choices.size());
    std::string_view choice = choices.substr(start, bar - start);
    if (choice == value) return *index = i, Status::Ok();
    bool last = bar == choices.size();
    expected += (i == 0 ? "" : last ? " or " : ", ") + std::string(choice);
    start = bar + 1;
  }
  return Status::Error(std::string(flag) + ": expected " + expected + ", got " + Quote(value));
}

Status ParseInt(std::string_view flag, std::string_view text, int64_t min, int64_t max,
                int64_t* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (ec != std::errc() || end != text.data() + text.size() || *value < min || *value > max)
    return Status::Error(std::string(flag) + ": expected an integer from " + std::to_string(min) +
                         " to " + std::to_string(max) + ", got " + Quote(text));
  return Status::Ok();
}

Status ParseUint64(std::string_view flag, std::string_view text, uint64_t* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return Status::Error(std::string(flag) + ": expected an unsigned 64-bit integer, got " +
                         Quote(text));
  return Status::Ok();
}

Status ParseDouble(std::string_view flag, std::string_view text, double min, double* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(*value) ||
      *value < min)
    return Status::Error(std::string(flag) + ": expected a number of at least " +
                         std::to_string(min) + ", got " + Quote(text));
  return Status::Ok();
}

std::function<Status(std::string_view)> IntInto(std::string_view flag, int64_t min, int64_t max,
                                                 int* target) {
  return [=](std::string_view text) {
    int64_t value;
    Status s = ParseInt(flag, text, min, max, &value);
    if (s.ok()) *target = static_cast<int>(value);
    return s;
  };
}

std::function<Status(std::string_view)> PathInto(std::string_view flag, std::string* target) {
  return [=](std::string_view text) {
    if (text.empty()) return Status::Error(std::string(flag) + ": expected a path, got ''");
    target->assign(text);
    return Status::Ok();
  };
}

std::function<Status(std::string_view)> ChoiceInto(std::string_view flag, std::string choices,
                                                    std::function<void(size_t index)> set) {
  return [flag, choices = std::move(choices), set = std::move(set)](std::string_view value) {
    size_t index;
    Status s = ParseChoice(flag, choices, value, &index);
    if (s.ok()) set(index);
    return s;
  };
}

}  // namespace farm
