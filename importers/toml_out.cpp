#include "importers/toml_out.h"

#include <fmt/format.h>

namespace kvcheck::importers {

std::string render(const Section& s) {
  std::string out = s.header + "\n";
  for (const auto& n : s.notes) out += n.empty() ? "#\n" : "# " + n + "\n";
  for (const auto& l : s.lines)
    out += l.comment.empty() ? l.key_value + "\n"
                             : fmt::format("{:<30}# {}\n", l.key_value, l.comment);
  return out;
}

}  // namespace kvcheck::importers
