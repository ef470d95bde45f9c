#pragma once
/// \file junit.h
/// The gate's JUnit XML. Per config, one test case per checker run, one per checker skipped
/// after a counterexample (<skipped/>), one for the mutated twin when it ran, and one named
/// "expect <ok|violated>" that fails exactly when the config's expectation is not met. A
/// checker's own case fails when its verdict alone breaks an `expect = "ok"` (VIOLATED,
/// UNKNOWN); an ERROR is an <error>. The totals are counted from the same cases.
#include <ostream>

#include "gate/gate.h"

namespace kvcheck {

void write_junit(const GateReport& r, std::ostream& os);

}  // namespace kvcheck
