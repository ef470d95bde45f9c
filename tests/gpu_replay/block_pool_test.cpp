// BlockPool: exact capacity, all-or-nothing allocation, reverse-order frees, counters, leak
// check, and double frees caught.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "gpu_replay/block_pool.h"

namespace kvcheck::engine {
namespace {

TEST(BlockPool, HoldsExactlyNumBlocksAndRefusesTheNext) {
  BlockPool p(5);
  std::vector<std::int32_t> a, b;
  ASSERT_TRUE(p.allocate(3, a));
  ASSERT_TRUE(p.allocate(2, b));
  EXPECT_EQ(p.num_free(), 0);
  EXPECT_FALSE(p.can_allocate(1));
  std::vector<std::int32_t> c;
  EXPECT_FALSE(p.allocate(1, c));  // OOM is a refused request, not UB
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(p.counters().failed_allocs, 1);
  EXPECT_EQ(p.counters().peak_used, 5);
}

TEST(BlockPool, AllOrNothingLeavesTableUntouched) {
  BlockPool p(4);
  std::vector<std::int32_t> a{99};
  EXPECT_FALSE(p.allocate(5, a));
  EXPECT_EQ(a, std::vector<std::int32_t>{99});
  EXPECT_EQ(p.num_free(), 4);
}

TEST(BlockPool, FreesInReverseOrderAndReportsLeaks) {
  BlockPool p(4);
  std::vector<std::int32_t> a;
  ASSERT_TRUE(p.allocate(3, a));
  EXPECT_FALSE(p.leak_free());
  std::vector<std::int32_t> freed;
  p.free(a, &freed);
  EXPECT_EQ(freed, (std::vector<std::int32_t>{a[2], a[1], a[0]}));
  EXPECT_TRUE(p.leak_free());
  EXPECT_EQ(p.counters().allocs, 3);
  EXPECT_EQ(p.counters().frees, 3);
  // FIFO free list: block 3 (never used) comes first, then the freed ones in free order.
  std::vector<std::int32_t> b;
  ASSERT_TRUE(p.allocate(4, b));
  EXPECT_EQ(b, (std::vector<std::int32_t>{3, a[2], a[1], a[0]}));
}

TEST(BlockPool, RefCountsKeepSharedBlocksAndCatchDoubleFree) {
  BlockPool p(2);
  std::vector<std::int32_t> a;
  ASSERT_TRUE(p.allocate(1, a));
  p.add_ref(a[0]);
  p.free(a);
  EXPECT_EQ(p.ref_count(a[0]), 1);
  EXPECT_EQ(p.num_free(), 1);
  p.free(a);
  EXPECT_TRUE(p.leak_free());
  EXPECT_THROW(p.free(a), std::logic_error);
  EXPECT_THROW(p.add_ref(a[0]), std::logic_error);
}

}  // namespace
}  // namespace kvcheck::engine
