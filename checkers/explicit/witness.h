#pragma once
/// \file witness.h
/// A counterexample found in the state graph: a path of edges from the initial state, and for
/// lassos (starvation, instability) the index where the repeating cycle starts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "properties/property.h"

namespace kvcheck::explicit_state {

struct Witness {
  std::vector<std::uint32_t> edges;  ///< edge ids (ExploredGraph::edges), from vertex 0
  /// Lasso: edges[*loop ..] form a cycle back to the state reached after edges[0 .. *loop).
  std::optional<std::size_t> loop;
  std::string property;              ///< the violated property, "starvation" or "instability"
  PropertyKind kind = PropertyKind::Safety;
  std::string detail;                ///< one line for the report
};

}  // namespace kvcheck::explicit_state
