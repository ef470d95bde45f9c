#include "properties/property.h"

#include <stdexcept>

namespace kvcheck {

const PropertyInfo& info(PropertyId id) {
  for (const auto& p : kProperties)
    if (p.id == id) return p;
  throw std::logic_error("unknown property id");
}

std::optional<PropertyId> parse_property(std::string_view name) {
  for (const auto& p : kProperties)
    if (p.name == name) return p.id;
  return std::nullopt;
}

std::int64_t alg1_memory_bound(const ModelParams& p) {
  std::int64_t sum = 0;
  for (const auto& c : p.classes) sum += c.budget * kv_workload(c.prompt, c.output);
  return sum;
}

}  // namespace kvcheck

#include "properties/verdict.h"

namespace kvcheck {

std::string to_string(const Verdict& v) {
  switch (v.kind) {
    case VerdictKind::NotChecked: return "NOT_CHECKED";
    case VerdictKind::Proved: return "PROVED";
    case VerdictKind::BoundedOk: return "BOUNDED_OK(" + std::to_string(v.depth) + ")";
    case VerdictKind::Unknown: return "UNKNOWN";
    case VerdictKind::Violated: return "VIOLATED";
    case VerdictKind::Error: return "ERROR";
  }
  return "ERROR";
}

}  // namespace kvcheck
