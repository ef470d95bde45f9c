#pragma once
/// \file serve_args.h
/// The `vllm serve` flags kvcheck knows: the ones it maps and the ones it accepts and ignores
/// because they do not change scheduling. One table; the docs and the `# ignored:` comment
/// come from it.
#include <span>

#include "importers/arg_list.h"

namespace kvcheck::importers {

std::span<const ArgSpec> serve_arg_specs();

/// Parses `vllm serve` arguments (a leading `vllm`, `serve` is skipped).
ParsedArgs parse_serve_args(std::vector<std::string> args);

}  // namespace kvcheck::importers
