#include "gate/shard.h"

#include <algorithm>
#include <charconv>

#include "io/input_error.h"

namespace kvcheck {
namespace {

constexpr int kMaxShards = 10'000;

int parse_int(const std::string& s, const std::string& field) {
  int v = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end)
    throw config_error("<command line>", field, "'" + s + "' is not an integer");
  return v;
}

Shard checked(Shard s, const std::string& field) {
  if (s.total < 1 || s.total > kMaxShards)
    throw config_error("<command line>", field,
                       "shard count " + std::to_string(s.total) + " is outside [1, 10000]");
  if (s.index < 0 || s.index >= s.total)
    throw config_error("<command line>", field,
                       "shard index " + std::to_string(s.index) + " is outside [0, " +
                           std::to_string(s.total - 1) + "] (shards are numbered from 0)");
  return s;
}

}  // namespace

Shard parse_shard(const std::string& text, const std::string& field) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw config_error("<command line>", field, "'" + text + "' is not I/N (e.g. 0/4)");
  return checked({parse_int(text.substr(0, slash), field),
                  parse_int(text.substr(slash + 1), field)},
                 field);
}

std::optional<Shard> shard_from_env(const std::function<const char*(const char*)>& getenv) {
  struct Pair {
    const char *index, *total;
  };
  for (const Pair p : {Pair{"KVCHECK_SHARD_INDEX", "KVCHECK_TOTAL_SHARDS"},
                       Pair{"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"},
                       Pair{"JOB_COMPLETION_INDEX", "KVCHECK_TOTAL_SHARDS"}}) {
    const char* i = getenv(p.index);
    const char* n = getenv(p.total);
    if (!i && !n) continue;
    if (!i || !n) {
      // KVCHECK_TOTAL_SHARDS alone may be meant for JOB_COMPLETION_INDEX: look further. A
      // Kubernetes indexed job always sets its index: without a total it is not a shard.
      if (!i && std::string(p.total) == "KVCHECK_TOTAL_SHARDS") continue;
      if (!n && std::string(p.index) == "JOB_COMPLETION_INDEX") continue;
      throw config_error("<environment>", i ? p.total : p.index,
                         std::string("not set while ") + (i ? p.index : p.total) + " is");
    }
    return checked({parse_int(i, p.index), parse_int(n, p.total)}, p.index);
  }
  return std::nullopt;
}

std::vector<std::filesystem::path> shard_slice(std::vector<std::filesystem::path> configs,
                                               Shard s) {
  std::sort(configs.begin(), configs.end());
  std::vector<std::filesystem::path> out;
  for (std::size_t i = static_cast<std::size_t>(s.index); i < configs.size();
       i += static_cast<std::size_t>(s.total))
    out.push_back(configs[i]);
  return out;
}

}  // namespace kvcheck
