// Text helpers for the CLI: aligned tables, key=value parsing, record templates and escapes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "client/consumer.h"
#include "client/error.h"
#include "protocol/result.h"

namespace gregor::client::cli {

// Columns padded to the widest cell plus two spaces (kafka-consumer-groups style); no trailing blanks.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

// "key=value" → (key, value); the value may contain '='. Fails without '=' or with an empty key.
Result<std::pair<std::string, std::string>, ClientError> parse_key_value(std::string_view text);

// "1,2,3" for replica lists.
std::string join_ints(const std::vector<int32_t>& v, std::string_view sep = ",");

// Replaces \n, \t, \\ and \0 escapes.
std::string unescape(std::string_view s);

// Renders a consume --format template: {topic} {partition} {offset} {timestamp} {key} {value}
// {headers} (k=v,k2=v2); null keys/values print as empty. Unknown {names} stay as they are.
std::string render_record(std::string_view tmpl, const ConsumerRecord& r);

// One JSON object per record: topic, partition, offset, timestamp, key, value, headers (text; null stays
// null).
std::string record_json(const ConsumerRecord& r);

// Splits a produce input line at the first separator: (key, value); no separator → no key.
std::pair<std::optional<std::string>, std::string> split_key_value(
    std::string_view line, const std::optional<std::string>& separator);

}  // namespace gregor::client::cli
