// `gregor dump-log`: prints segment files through log/dump_log.h when that part of the log engine is built.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "client/cli/commands.h"

#if GREGOR_HAVE_DUMP_LOG
#include "log/dump_log.h"
#endif

namespace gregor::client::cli {

int run_dump_log(const CliOptions& o) {
#if GREGOR_HAVE_DUMP_LOG
  for (const auto& path : o.dump_log_files) {
    // dump_log_segment prints what it cannot parse inline (as DumpLogSegments does); an unreadable file
    // is a failure of the command.
    if (!std::ifstream(path)) return fail(path + ": cannot open file");
    gregor::log::dump_log_segment(path, std::cout, o.print_records);
  }
  return 0;
#else
  // TODO(client): log/dump_log.h (dump_log_segment) is not in the tree yet; enable when it lands.
  (void)o;
  return fail("dump-log is not available in this build (log/dump_log.h missing)");
#endif
}

}  // namespace gregor::client::cli
