#pragma once
/// \file input_error.h
/// The one error type for bad user input (configs, traces, workloads, CLI values). Its message
/// is a single line naming the file, the field and the reason; the CLI maps it to an exit code.
/// The one line is enforced here: every control character (a newline in a toml++ parse error,
/// in a file name, in a quoted value) becomes a space in the file, the field and the reason.
#include <stdexcept>
#include <string>

#include "properties/exit_codes.h"

namespace kvcheck {

class InputError : public std::runtime_error {
 public:
  InputError(ExitCode code, std::string file, std::string field, std::string reason)
      : std::runtime_error(format(one_line(file), one_line(field), one_line(reason))),
        code_(code), file_(one_line(std::move(file))), field_(one_line(std::move(field))),
        reason_(one_line(std::move(reason))) {}

  ExitCode code() const { return code_; }
  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& reason() const { return reason_; }

 private:
  /// `s` with every control character (below 0x20, and DEL) replaced by a space.
  static std::string one_line(std::string s) {
    for (char& c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return s;
  }
  static std::string format(const std::string& file, const std::string& field,
                            const std::string& reason) {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (!field.empty()) out += ": " + field;
    return out + ": " + reason;
  }
  ExitCode code_;
  std::string file_, field_, reason_;
};

/// Shorthands for the two kinds of input.
inline InputError config_error(std::string file, std::string field, std::string reason) {
  return InputError(ExitCode::ConfigError, std::move(file), std::move(field), std::move(reason));
}
inline InputError trace_error(std::string file, std::string field, std::string reason) {
  return InputError(ExitCode::TraceParseError, std::move(file), std::move(field),
                    std::move(reason));
}

}  // namespace kvcheck
