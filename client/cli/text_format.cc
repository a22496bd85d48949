// Text helpers for the CLI: tables, key=value options, record templates.
#include "client/cli/text_format.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace gregor::client::cli {

namespace {

std::string bytes_text(const std::optional<std::vector<uint8_t>>& b) {
  return b ? std::string(b->begin(), b->end()) : std::string();
}

std::string headers_text(const std::vector<RecordHeader>& headers) {
  std::string out;
  for (const auto& h : headers) {
    if (!out.empty()) out += ',';
    out += h.key + "=" + bytes_text(h.value);
  }
  return out;
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out << s << '\n';
  };
  line(header);
  for (const auto& row : rows) line(row);
}

Result<std::pair<std::string, std::string>, ClientError> parse_key_value(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return unexpected(
        make_error(ErrorCode::INVALID_CONFIG, "expected key=value, got '" + std::string(text) + "'"));
  }
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string join_ints(const std::vector<int32_t>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += std::to_string(v[i]);
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        out += '\\';
        out += c;
    }
  }
  return out;
}

std::string render_record(std::string_view tmpl, const ConsumerRecord& r) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = tmpl.substr(i + 1, close - i - 1);
        std::optional<std::string> v;
        if (name == "topic")
          v = r.topic;
        else if (name == "partition")
          v = std::to_string(r.partition);
        else if (name == "offset")
          v = std::to_string(r.offset);
        else if (name == "timestamp")
          v = std::to_string(r.timestamp);
        else if (name == "key")
          v = bytes_text(r.key);
        else if (name == "value")
          v = bytes_text(r.value);
        else if (name == "headers")
          v = headers_text(r.headers);
        if (v) {
          out += *v;
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string record_json(const ConsumerRecord& r) {
  auto text_or_null = [](const std::optional<std::vector<uint8_t>>& b) -> nlohmann::json {
    if (!b) return nullptr;
    return std::string(b->begin(), b->end());
  };
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& h : r.headers) headers.push_back({{"key", h.key}, {"value", text_or_null(h.value)}});
  nlohmann::json j = {{"topic", r.topic},           {"partition", r.partition},
                      {"offset", r.offset},         {"timestamp", r.timestamp},
                      {"key", text_or_null(r.key)}, {"value", text_or_null(r.value)},
                      {"headers", headers}};
  // Binary payloads are not UTF-8: replace bad bytes rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::pair<std::optional<std::string>, std::string> split_key_value(
    std::string_view line, const std::optional<std::string>& separator) {
  if (!separator || separator->empty()) return {std::nullopt, std::string(line)};
  size_t at = line.find(*separator);
  if (at == std::string_view::npos) return {std::nullopt, std::string(line)};
  return {std::string(line.substr(0, at)), std::string(line.substr(at + separator->size()))};
}

}  // namespace gregor::client::cli
