// The concrete value domain's small helpers (models/domain.h), against their documented
// contracts: lookup() is v[i] or 0 out of range; add_at() adds delta at i only where `when`
// holds and only for an index in range (a no-op elsewhere); ceil_div rounds up.
#include <gtest/gtest.h>

#include <vector>

#include "models/domain.h"

namespace kvcheck {
namespace {

using V = std::vector<std::int64_t>;

TEST(ConcreteDomain, LookupIsTheEntryOrZeroOutOfRange) {
  const V v{5, 7, 9};
  EXPECT_EQ(lookup<Concrete>(v, 0), 5);
  EXPECT_EQ(lookup<Concrete>(v, 2), 9);
  EXPECT_EQ(lookup<Concrete>(v, 3), 0);
  EXPECT_EQ(lookup<Concrete>(v, -1), 0);
}

TEST(ConcreteDomain, AddAtOnlyWhenItHoldsAndInRange) {
  V v{5, 7, 9};
  add_at<Concrete>(v, 1, 10, true);
  EXPECT_EQ(v, (V{5, 17, 9}));
  add_at<Concrete>(v, 1, 10, false);  // `when` false: nothing changes
  EXPECT_EQ(v, (V{5, 17, 9}));
  add_at<Concrete>(v, 0, -5, true);
  EXPECT_EQ(v, (V{0, 17, 9}));
  add_at<Concrete>(v, 2, 1, true);  // the last index
  EXPECT_EQ(v, (V{0, 17, 10}));
  add_at<Concrete>(v, 3, 1, true);  // one past the end: a no-op, not a write
  add_at<Concrete>(v, -1, 1, true);
  EXPECT_EQ(v, (V{0, 17, 10}));
}

TEST(ConcreteDomain, CeilDivRoundsUp) {
  EXPECT_EQ(Concrete::ceil_div(0, 16), 0);
  EXPECT_EQ(Concrete::ceil_div(1, 16), 1);
  EXPECT_EQ(Concrete::ceil_div(16, 16), 1);
  EXPECT_EQ(Concrete::ceil_div(17, 16), 2);
  EXPECT_EQ(Concrete::min(3, 4), 3);
  EXPECT_EQ(Concrete::max(3, 4), 4);
}

}  // namespace
}  // namespace kvcheck
