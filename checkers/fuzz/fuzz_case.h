#pragma once
/// \file fuzz_case.h
/// One generated test case: arrival groups (requests that arrive in the same step with the same
/// shape) and the seed for the policy's `choose()` inputs. Groups make shrinking cheap: RapidCheck
/// removes whole groups and shrinks a group's count, gap and lengths towards their minimum, so a
/// failure shrinks towards fewer, shorter requests without a quadratic element-by-element search.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "models/request.h"

namespace kvcheck::fuzz {

/// `count` identical requests arriving `gap` steps after the previous group.
struct Group {
  std::int64_t gap = 0;
  std::int64_t count = 1;
  std::int64_t prompt = 1;
  std::int64_t output = 1;
  std::int64_t klass = 0;
  bool operator==(const Group&) const = default;
};

struct FuzzCase {
  std::string shape;            ///< the generator that made it (for RC_TAG and reports)
  std::vector<Group> groups;
  std::uint64_t choice_seed = 0;  ///< SeededChoices seed for the policy's choose() inputs
  bool operator==(const FuzzCase&) const = default;

  /// Total number of requests.
  std::int64_t requests() const;
  /// The Steps-clock workload, truncated to `max_requests` requests (0 = no cap).
  /// The case's workload: at most `max_requests` requests (0 = all), at most
  /// `max_per_step` arriving in one step (0 = any) and none after `last_arrival` (-1 = any):
  /// the workload envelope's bounds (io/envelope.h); requests past them are dropped.
  Workload workload(std::int64_t max_requests = 0, std::int64_t max_per_step = 0,
                    std::int64_t last_arrival = -1) const;
};

/// Prints a case compactly (RapidCheck's counterexample output uses it through ADL).
void showValue(const FuzzCase& c, std::ostream& os);

}  // namespace kvcheck::fuzz
