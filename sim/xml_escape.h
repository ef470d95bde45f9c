#pragma once
/// \file xml_escape.h
/// Text for XML character data and attribute values, the one escaper of every XML kvcheck
/// writes (SVG charts, the gate's JUnit report): & < > " ' become entities, and the control
/// characters XML 1.0 forbids (below 0x20 except tab, newline, carriage return) become '?', so
/// a reason string with a stray byte cannot make the file unreadable.
#include <string>
#include <string_view>

namespace kvcheck {

inline std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': case '\n': case '\r': out += c; break;
      default: out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

}  // namespace kvcheck
