#pragma once
/// \file input_file.h
/// The check every reader of a user file makes before reading it: the path names a regular
/// file (not /dev/zero, a FIFO or a directory, which would be read forever or until memory runs
/// out) no larger than the reader's limit (io/limits.h). Failures are InputErrors naming the
/// file, with the reader's exit code (151 for configs, 150 for traces).
#include <cstdint>
#include <filesystem>
#include <string>

#include "io/input_error.h"

namespace kvcheck {

/// Throws InputError(code, path, "", reason) unless `path` is a regular file of at most
/// `max_bytes`; `limit` names the limit in the message ("64 MiB").
inline void check_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes,
                             const std::string& limit, ExitCode code) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    throw InputError(code, path.string(), "", "cannot open file");
  if (!std::filesystem::is_regular_file(st))
    throw InputError(code, path.string(), "", "not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes)
    throw InputError(code, path.string(), "",
                     "larger than " + limit + " (the largest file of this kind read)");
}

}  // namespace kvcheck
