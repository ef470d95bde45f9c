#pragma once
/// \file input_error.h
/// The one error type for bad user input (configs, traces, workloads, CLI values). Its message
/// is a single line naming the file, the field and the reason; the CLI maps it to an exit code.
#include <stdexcept>
#include <string>

#include "properties/exit_codes.h"

namespace kvcheck {

class InputError : public std::runtime_error {
 public:
  InputError(ExitCode code, std::string file, std::string field, std::string reason)
      : std::runtime_error(format(file, field, reason)), code_(code), file_(std::move(file)),
        field_(std::move(field)), reason_(std::move(reason)) {}

  ExitCode code() const { return code_; }
  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& reason() const { return reason_; }

 private:
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
