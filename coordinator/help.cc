#include "coordinator/help.h"

#include <algorithm>

namespace farm {
namespace {

// Where descriptions start, at most: a longer flag has its own line.
constexpr size_t kMaxColumn = 30;

// "  -j, --workers N", "      --mode M": long names aligned, as GNU tools do.
std::string FlagColumn(const Flag& flag) {
  std::string left = flag.alias ? std::string("  -") + flag.alias + ", " : std::string(6, ' ');
  left += flag.name;
  if (flag.takes_value()) left += " " + std::string(flag.value);
  return left;
}

}  // namespace

std::string Wrap(std::string_view text, size_t indent, size_t first_indent) {
  // Words, a word that starts with '-' kept with the one before it.
  std::vector<std::string> words;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find(' ', start), text.size());
    std::string_view word = text.substr(start, end - start);
    if (!word.empty()) {
      if (word[0] == '-' && !words.empty())
        words.back() += " " + std::string(word);
      else
        words.emplace_back(word);
    }
    start = end + 1;
  }
  std::string out(first_indent, ' ');
  size_t line_start = 0, line_words = 0;
  for (const std::string& word : words) {
    if (line_words > 0 && out.size() - line_start + 1 + word.size() > kHelpWidth) {
      out += "\n";
      line_start = out.size();
      out.append(indent, ' ');
      line_words = 0;
    }
    if (line_words++ > 0) out += " ";
    out += word;
  }
  return out + "\n";
}

std::string TwoColumns(std::string_view left, std::string_view text, size_t column) {
  std::string lines = Wrap(text, column, column);
  if (left.size() + 2 > column) return std::string(left) + "\n" + lines;
  return lines.replace(0, left.size(), left);
}

std::string FormatFlags(std::span<const FlagSection> sections) {
  size_t column = 0;
  for (const FlagSection& section : sections)
    for (const Flag& flag : section.flags)
      column = std::max(column, std::min(FlagColumn(flag).size() + 2, kMaxColumn));
  std::string out;
  for (const FlagSection& section : sections) {
    out += (out.empty() ? "" : "\n") + section.title + ":\n";
    for (const Flag& flag : section.flags) out += TwoColumns(FlagColumn(flag), flag.help, column);
  }
  return out;
}

std::string FormatHelp(const HelpPage& page) {
  std::string out;
  // A long usage goes on below its command: "farm gen TYPE".
  for (size_t i = 0; i < page.usage.size(); ++i)
    out += Wrap(page.usage[i], 16, 7).replace(0, 7, i == 0 ? "usage: " : "       ");
  for (const std::string& paragraph : page.about) out += "\n" + Wrap(paragraph, 0, 0);
  if (!page.sections.empty()) out += "\n" + FormatFlags(page.sections);
  for (const auto& [title, text] : page.notes) out += "\n" + title + ":\n" + text;
  if (!page.examples.empty()) out += "\nexamples:\n";
  // "  $ command" is how help2man knows an example, and sets it verbatim.
  for (const Example& example : page.examples)
    out += "  $ " + std::string(example.command) + "\n" + Wrap(example.comment, 4, 4);
  return out;
}

}  // namespace farm
