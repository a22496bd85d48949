"""Optional `perf record` of the gregor broker while one load tool runs (bench.py --profile)."""
import signal
import subprocess
from pathlib import Path


class Profiler:
    """Samples one PID (cpu-clock, call graphs) for the duration of a with-block; writes the top of
    `perf report` (self time by symbol) to <name>.txt next to the tool logs."""

    def __init__(self, pid: int, out: Path, enabled: bool = True):
        self.pid, self.out, self.enabled = pid, out, enabled
        self.data = out.with_suffix(".data")
        self.proc = None

    def __enter__(self):
        if self.enabled:
            self.proc = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", str(self.pid),
                                          "-o", str(self.data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        report = subprocess.run(["perf", "report", "-i", str(self.data), "--no-children", "--stdio", "-g", "none",
                                 "--sort", "dso,symbol", "--percent-limit", "1"], capture_output=True, text=True)
        by_dso = subprocess.run(["perf", "report", "-i", str(self.data), "--no-children", "--stdio", "-g", "none",
                                 "--sort", "dso"], capture_output=True, text=True)
        lines = [ln.rstrip() for ln in (by_dso.stdout + report.stdout).splitlines()
                 if ln.strip() and not ln.startswith("# ....")]
        self.out.write_text("\n".join(lines)[:20000] + "\n" + report.stderr[-2000:])
        self.data.unlink(missing_ok=True)
