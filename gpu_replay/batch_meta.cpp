#include "gpu_replay/batch_meta.h"

#include <algorithm>
#include <stdexcept>

namespace kvcheck::engine {

std::int32_t BatchMeta::num_logits() const {
  return static_cast<std::int32_t>(
      std::count_if(logits_rows.begin(), logits_rows.end(), [](std::int32_t r) { return r >= 0; }));
}

void BatchBuilder::add(std::span<const std::int32_t> tokens, std::int32_t start,
                       std::span<const std::int32_t> block_table, bool sample) {
  const auto s = meta_.num_seqs();
  const auto n = static_cast<std::int32_t>(tokens.size());
  const auto end = start + n;
  const auto bs = meta_.block_size;
  if (static_cast<std::int64_t>(block_table.size()) * bs < end)
    throw std::logic_error("BatchBuilder: block table too short for the batch's positions");
  for (std::int32_t i = 0; i < n; ++i) {
    const auto pos = start + i;
    meta_.token_ids.push_back(tokens[static_cast<std::size_t>(i)]);
    meta_.positions.push_back(pos);
    meta_.seq_of_token.push_back(s);
    meta_.slot_mapping.push_back(block_table[static_cast<std::size_t>(pos / bs)] * bs + pos % bs);
  }
  meta_.seq_lens.push_back(end);
  meta_.logits_rows.push_back(sample && n > 0 ? meta_.num_tokens() - 1 : -1);
  tables_.emplace_back(block_table.begin(), block_table.end());
}

BatchMeta BatchBuilder::finish() {
  std::int32_t width = 0;
  for (const auto& t : tables_) width = std::max(width, static_cast<std::int32_t>(t.size()));
  meta_.max_blocks = width;
  meta_.block_tables.assign(tables_.size() * static_cast<std::size_t>(width), -1);
  for (std::size_t s = 0; s < tables_.size(); ++s)
    std::copy(tables_[s].begin(), tables_[s].end(),
              meta_.block_tables.begin() + static_cast<std::ptrdiff_t>(s * static_cast<std::size_t>(width)));
  tables_.clear();
  return std::move(meta_);
}

}  // namespace kvcheck::engine
