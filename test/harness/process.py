"""A child process with a log file, stopped by PID: SIGTERM then SIGKILL, plus SIGSTOP/SIGCONT."""
import atexit
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

_live: set["ManagedProcess"] = set()
_live_lock = threading.Lock()


class ManagedProcess:
    """Owns one child process (its own process group) whose stdout+stderr go to log_path."""

    def __init__(self, argv: list[str], log_path: Path, env: dict | None = None,
                 cwd: Path | None = None):
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        self.env = env
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        if self.running():
            raise RuntimeError(f"already running: {self.argv}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # Own session, so a signal for the child never reaches pytest, and a
            # wrapper script's children can be stopped together.
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env, cwd=self.cwd,
                                         start_new_session=True)
        with _live_lock:
            _live.add(self)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait up to timeout, then SIGKILL. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self._signal_group(signal.SIGCONT)  # a paused process cannot handle SIGTERM
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(10)
        self._forget()
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL now (an unclean crash) and reap."""
        if self.proc is None:
            return None
        self._signal_group(signal.SIGKILL)
        self.proc.wait(10)
        self._forget()
        return self.proc.returncode

    def pause(self, timeout: float = 5.0) -> None:
        """SIGSTOP, and return only once the kernel shows the process stopped
        (kill() returns before every thread has stopped)."""
        self._signal_group(signal.SIGSTOP)
        self._wait_state(lambda st: st in ("T", "t"), timeout, "stopped")

    def resume(self, timeout: float = 5.0) -> None:
        self._signal_group(signal.SIGCONT)
        self._wait_state(lambda st: st not in ("T", "t"), timeout, "running")

    def state(self) -> str | None:
        """The state letter from /proc/<pid>/stat (R, S, T, Z, ...), None if gone."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, AttributeError):
            return None

    def _wait_state(self, ok, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ok(self.state()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"pid {self.pid} not {what} after {timeout}s: {self.state()}")
            time.sleep(0.01)

    def log_tail(self, max_bytes: int = 4000) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - max_bytes))
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _forget(self) -> None:
        with _live_lock:
            _live.discard(self)


def stop_all() -> None:
    """Backstop for atexit: stop whatever fixtures did not."""
    with _live_lock:
        procs = list(_live)
    for p in procs:
        try:
            p.kill()
        except Exception:
            pass


atexit.register(stop_all)


def wait_for_exit(p: ManagedProcess, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while p.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    return p.returncode()
