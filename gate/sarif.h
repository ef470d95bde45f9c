#pragma once
/// \file sarif.h
/// The gate's SARIF 2.1.0 log (validated against the official schema in tests/gate):
/// - `tool.driver.rules`: one rule per [check] property (properties/property.h), per checker
///   finding (properties/findings.h) and per gate outcome that is not a violation
///   (`kvcheck.inconclusive`, `kvcheck.vacuous-proof`);
/// - one result per VIOLATED row (level `error` when the config expects "ok", `note` when the
///   violation is the expected one), its region the config line naming the property (else the
///   checker's section), its counterexample a code flow with one location per trace step;
/// - one result per config whose expectation fails without an unexpected violation (an
///   UNKNOWN, an expected violation not found, a vacuous proof), at the `expect` line;
/// - a config that cannot be read, or a checker that fails, is a tool execution notification,
///   and the invocation is then not successful.
/// URIs are relative to `source_root` (uriBaseId `SRCROOT`), so a code-scanning upload maps
/// them onto the repository.
#include <filesystem>
#include <ostream>

#include "gate/gate.h"

namespace kvcheck {

struct SarifOptions {
  std::filesystem::path source_root;  ///< absolute; the repository the configs live in
};

void write_sarif(const GateReport& r, const SarifOptions& o, std::ostream& os);

/// `path` as a URI reference relative to `root` ("configs/a.toml", "../x/b.toml"), every byte
/// outside RFC 3986's unreserved set and '/' percent-encoded.
std::string relative_uri(const std::filesystem::path& path, const std::filesystem::path& root);

}  // namespace kvcheck
