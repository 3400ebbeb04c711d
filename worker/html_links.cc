#include "worker/html_links.h"

#include <gumbo.h>

#include <csetjmp>
#include <cstdlib>
#include <unordered_set>
#include <utility>

#include "common/url.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// gumbo's memory for one parse, in blocks freed together, so that a parse
// running past its time can be abandoned midway (a longjmp out of gumbo's C
// code, which holds no resources of its own) without leaking what it built.
class ParseArena {
 public:
  explicit ParseArena(Clock::time_point deadline) : deadline_(deadline) {}
  ~ParseArena() {
    while (blocks_ != nullptr) free(std::exchange(blocks_, blocks_->previous));
  }
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;

  // gumbo's allocator: jumps to `abandon` past the deadline or out of memory.
  static void* Allocate(void* self, size_t size) {
    auto& arena = *static_cast<ParseArena*>(self);
    if (++arena.calls_ % kCallsPerClockRead == 0 && Clock::now() > arena.deadline_)
      longjmp(arena.abandon, 1);
    void* memory = arena.Take((size + kAlign - 1) / kAlign * kAlign);
    if (memory == nullptr) longjmp(arena.abandon, 1);
    return memory;
  }
  static void Deallocate(void*, void*) {}  // all at once, with the arena

  std::jmp_buf abandon;

 private:
  static constexpr size_t kAlign = alignof(std::max_align_t);
  static constexpr size_t kBlockSize = 1 << 20;
  static constexpr unsigned kCallsPerClockRead = 256;
  struct alignas(std::max_align_t) Block {
    Block* previous;
  };

  // Never throws: no exception may cross gumbo's frames.
  void* Take(size_t size) {
    if (size <= left_) {
      void* memory = next_;
      next_ += size;
      left_ -= size;
      return memory;
    }
    const bool large = size > kBlockSize / 4;  // a block of its own
    auto* block = static_cast<Block*>(malloc(sizeof(Block) + (large ? size : kBlockSize)));
    if (block == nullptr) return nullptr;
    block->previous = blocks_;
    blocks_ = block;
    char* start = reinterpret_cast<char*>(block + 1);
    if (large) return start;
    next_ = start + size;
    left_ = kBlockSize - size;
    return start;
  }

  Block* blocks_ = nullptr;
  char* next_ = nullptr;
  size_t left_ = 0;
  unsigned calls_ = 0;
  Clock::time_point deadline_;
};

// The parsed tree, in `arena`; nullptr when the parse was abandoned.
const GumboOutput* Parse(std::string_view html, ParseArena* arena) {
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &ParseArena::Allocate;
  options.deallocator = &ParseArena::Deallocate;
  options.userdata = arena;
  options.max_errors = 0;  // parse errors are not reported, so not kept
  if (setjmp(arena->abandon) != 0) return nullptr;
  return gumbo_parse_with_options(&options, html.data(), html.size());
}

bool IsElement(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE;
}

// The attribute of the element holding its link, or nullptr for elements
// that link nowhere.
const char* LinkAttribute(const GumboElement& element) {
  switch (element.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
      return "href";
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FRAME:
      return "src";
    default:
      return nullptr;
  }
}

std::string_view AttributeValue(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute != nullptr ? std::string_view(attribute->value) : std::string_view();
}

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// The element's text, runs of whitespace made one space, none at the ends.
std::string CollapsedText(const GumboElement& element) {
  std::string text;
  bool space = false;
  for (unsigned i = 0; i < element.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
    if (child->type != GUMBO_NODE_TEXT && child->type != GUMBO_NODE_WHITESPACE) continue;
    for (const char* c = child->v.text.text; *c != '\0'; ++c) {
      if (IsAsciiWhitespace(*c)) {
        space = !text.empty();
        continue;
      }
      if (space) text.push_back(' ');
      space = false;
      text.push_back(*c);
    }
  }
  return text;
}

// A reference to the page itself: nothing to fetch.
bool IsSameDocument(std::string_view reference) {
  while (!reference.empty() && IsAsciiWhitespace(reference.front())) reference.remove_prefix(1);
  return reference.empty() || reference.front() == '#';
}

// One walk of the tree, in document order: the references as written (views
// into the parsed tree), the first <base href> and the first <title>.
struct Found {
  std::vector<std::string_view> references;
  std::optional<std::string_view> base;
  std::optional<std::string> title;
};

Found Walk(const GumboNode* root) {
  Found found;
  // Iterative: a page may nest elements far deeper than the stack would take.
  std::vector<const GumboNode*> stack = {root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (IsElement(node)) {
      const GumboElement& element = node->v.element;
      children = &element.children;
      const bool html = element.tag_namespace == GUMBO_NAMESPACE_HTML;
      if (html && element.tag == GUMBO_TAG_TITLE && !found.title) {
        found.title = CollapsedText(element);
      } else if (html && element.tag == GUMBO_TAG_BASE && !found.base &&
                 gumbo_get_attribute(&element.attributes, "href") != nullptr) {
        found.base = AttributeValue(element, "href");
      } else if (const char* name = LinkAttribute(element)) {
        std::string_view reference = AttributeValue(element, name);
        if (!IsSameDocument(reference)) found.references.push_back(reference);
      }
    }
    if (children == nullptr) continue;
    for (unsigned i = children->length; i-- > 0;)
      stack.push_back(static_cast<const GumboNode*>(children->data[i]));
  }
  return found;
}

}  // namespace

HtmlLinks ExtractLinks(std::string_view html, std::string_view page_url,
                       std::chrono::milliseconds max_parse_time) {
  ParseArena arena(Clock::now() + max_parse_time);
  const GumboOutput* output = Parse(html.substr(0, kMaxParsedBytes), &arena);
  HtmlLinks result;
  if (output == nullptr) return result;
  Found found = Walk(output->document);
  result.title = std::move(found.title);

  std::string base(page_url);
  if (found.base) {
    if (std::optional<std::string> resolved = ResolveUrl(page_url, *found.base))
      base = std::move(*resolved);
  }
  UrlResolver resolver(base);
  std::unordered_set<std::string> seen;
  for (std::string_view reference : found.references) {
    if (result.links.size() == kMaxLinks) break;
    std::optional<std::string> url = resolver.Resolve(reference);
    if (url && seen.insert(*url).second) result.links.push_back(std::move(*url));
  }
  return result;
}

}  // namespace farm
