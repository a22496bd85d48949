"""Child processes of the benchmark: start/stop by PID, readiness probes, RSS and CPU time from /proc."""
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpus: str | None, cmd: list[str]) -> list[str]:
    """taskset execs the command, so the PID we hold is the program's own."""
    return (["taskset", "-c", cpus] if cpus else []) + cmd


class Proc:
    """One long-running child (ZooKeeper or a broker) with its output in a file."""

    def __init__(self, name: str, cmd: list[str], out: Path, env: dict | None = None, cwd: Path | None = None):
        self.name, self.cmd, self.out = name, cmd, out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.t_start = time.monotonic()
        self.popen = subprocess.Popen(cmd, stdout=open(out, "wb"), stderr=subprocess.STDOUT,
                                      env=env, cwd=cwd, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after timeout (only this PID)."""
        if self.running():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def kill9(self) -> None:
        if self.running():
            self.popen.kill()
            self.popen.wait()

    def rss_mib(self) -> float | None:
        return status_kib(self.pid, "VmRSS") / 1024 if self.running() else None

    def hwm_mib(self) -> float | None:
        return status_kib(self.pid, "VmHWM") / 1024 if self.running() else None

    def cpu_seconds(self) -> float:
        """utime + stime of the process (all threads)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (FileNotFoundError, IndexError, ValueError):
            return 0.0

    def tail(self, n: int = 3000) -> str:
        try:
            return self.out.read_bytes()[-n:].decode(errors="replace")
        except FileNotFoundError:
            return ""


def status_kib(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except FileNotFoundError:
        pass
    return 0.0


def answers_api_versions(port: int, timeout: float = 1.0) -> bool:
    """True when an ApiVersions v0 request on 127.0.0.1:port gets an answer with error code 0."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            body = struct.pack(">hhih", 18, 0, 1, 5) + b"bench"
            s.sendall(struct.pack(">i", len(body)) + body)
            head = recv_exact(s, 4)
            size = struct.unpack(">i", head)[0]
            resp = recv_exact(s, size)
            return size >= 6 and struct.unpack(">h", resp[4:6])[0] == 0
    except (OSError, struct.error, ConnectionError):
        return False


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def wait_until(pred, timeout: float, what: str, interval: float = 0.05, proc: Proc | None = None):
    """Poll pred() until it returns a truthy value (returned) or timeout (TimeoutError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        if proc is not None and not proc.running():
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}): {proc.tail()}")
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
