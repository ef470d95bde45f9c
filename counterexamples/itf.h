#pragma once
/// \file itf.h
/// Traces as ITF JSON (Apalache ADR-015; kvcheck's conventions are in docs/itf.md): writing a
/// Trace to `*.itf.json` and reading one back. Integers are always written `{"#bigint": "..."}`;
/// the reader also accepts plain JSON integers. Reading never crashes on bad input: every
/// problem is an InputError (exit 150) naming the file, the JSON path and the reason.
#include <filesystem>
#include <string>

#include "counterexamples/trace.h"

namespace kvcheck {

/// The trace as ITF JSON text (pretty-printed, sets sorted, deterministic for equal traces).
std::string to_itf_json(const Trace& t);

/// Writes `to_itf_json(t)` to `path` (parent directories are created). Throws InputError
/// (TraceParseError) naming the path when the file cannot be written.
void write_itf(const Trace& t, const std::filesystem::path& path);

/// Parses ITF JSON text written by `to_itf_json` (or by hand, following docs/itf.md). `name`
/// names the input in error messages. Throws InputError(TraceParseError) on any problem.
Trace parse_itf(const std::string& text, const std::string& name);

/// Reads and parses an ITF file. Throws InputError(TraceParseError) when the file cannot be
/// read or does not parse.
Trace read_itf(const std::filesystem::path& path);

}  // namespace kvcheck
