#pragma once
/// \file batch_meta.h
/// One iteration's ragged batch as every backend consumes it (engines.md 3.2): per token its id,
/// position, sequence and KV slot; per sequence its block table, length and logits row.
#include <cstdint>
#include <span>
#include <vector>

namespace kvcheck::engine {

struct BatchMeta {
  std::int32_t block_size = 16;
  std::vector<std::int32_t> token_ids;     ///< [T]
  std::vector<std::int32_t> positions;     ///< [T] position of the token in its sequence
  std::vector<std::int32_t> seq_of_token;  ///< [T] index into the per-sequence arrays
  std::vector<std::int32_t> slot_mapping;  ///< [T] block * block_size + offset, -1 = skip
  std::int32_t max_blocks = 0;             ///< row width of block_tables
  std::vector<std::int32_t> block_tables;  ///< [S][max_blocks], padded with -1
  std::vector<std::int32_t> seq_lens;      ///< [S] KV tokens after this iteration
  std::vector<std::int32_t> logits_rows;   ///< [S] token whose logits are sampled, -1 = none

  std::int32_t num_tokens() const { return static_cast<std::int32_t>(token_ids.size()); }
  std::int32_t num_seqs() const { return static_cast<std::int32_t>(seq_lens.size()); }
  /// Number of sequences with a logits row (the rows of a forward's logits, in order).
  std::int32_t num_logits() const;
  /// The physical block holding `position` of sequence `s`.
  std::int32_t block_of(std::int32_t s, std::int32_t position) const {
    return block_tables[static_cast<std::size_t>(s * max_blocks + position / block_size)];
  }
};

/// Builds a BatchMeta one sequence at a time.
class BatchBuilder {
 public:
  explicit BatchBuilder(std::int32_t block_size) { meta_.block_size = block_size; }
  /// Adds a sequence that processes `tokens` at positions start.. (start + tokens.size() - 1),
  /// whose KV lives in `block_table`. `sample` asks for the logits of its last token.
  /// Throws std::logic_error when the block table is too short for the new positions.
  void add(std::span<const std::int32_t> tokens, std::int32_t start,
           std::span<const std::int32_t> block_table, bool sample);
  /// The finished batch (block tables padded to the longest).
  BatchMeta finish();

 private:
  BatchMeta meta_;
  std::vector<std::vector<std::int32_t>> tables_;
};

}  // namespace kvcheck::engine
