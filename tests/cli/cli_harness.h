#pragma once
/// \file cli_harness.h
/// Runs the built `kvcheck` binary (KVCHECK_EXE, set by tests/cli/CMakeLists.txt) in a shell and
/// captures its exit status, stdout and stderr; writes scratch files under the build tree.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kvcheck::testing {

struct CliRun {
  int status = -1;  ///< the exit status (-1 if it did not exit normally)
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

/// The running test's directory under the build tree.
inline std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::filesystem::path(KVCHECK_BINARY_DIR) / "test-out" / "cli" /
         (std::string(info->test_suite_name()) + "." + info->name());
}

/// The running test's directory, emptied.
inline std::filesystem::path scratch_dir() {
  const auto dir = test_dir();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Single-quotes `s` for /bin/sh.
inline std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs `kvcheck ARGS` from the source root (configs/ resolves) with `env` assignments prefixed.
inline CliRun run_kvcheck(const std::string& args, const std::string& env = "") {
  const auto dir = test_dir() / "_run";
  std::filesystem::create_directories(dir);
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = "cd " + sh_quote(KVCHECK_SOURCE_DIR) + " && " + env + " " +
                          sh_quote(KVCHECK_EXE) + " " + args + " >" + sh_quote(out.string()) +
                          " 2>" + sh_quote(err.string());
  const int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

/// Asserts the one-line error contract: exit `code`, exactly one stderr line that names
/// every string in `names` (the file and the field).
inline void expect_error(const CliRun& r, int code, std::initializer_list<std::string> names) {
  EXPECT_EQ(r.status, code) << "stderr: " << r.err << "stdout: " << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const auto& n : names) EXPECT_NE(r.err.find(n), std::string::npos) << n << " in: " << r.err;
}

}  // namespace kvcheck::testing
