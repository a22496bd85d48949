// dump_log: prints segment files the way Kafka's DumpLogSegments tool does (.log, .index, .timeindex,
// .snapshot), so gregor's output can be compared line by line with Kafka's.
#pragma once

#include <filesystem>
#include <ostream>

namespace gregor::log {

// "Dumping <file>" then, by suffix: .log — "Log starting offset: <base>" and one line per batch (with
// print_records, like --print-data-log, one "| offset: ..." line per record with key and payload as text);
// .index — "offset: N position: P"; .timeindex — "timestamp: T offset: O"; .snapshot — one line per
// producer entry. Unreadable input is reported in the output, as Kafka's tool does on stderr.
void dump_log_segment(const std::filesystem::path& file, std::ostream& out, bool print_records);

}  // namespace gregor::log
