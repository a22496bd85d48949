"""Physical limits measured in the same run: loopback TCP (iperf3) and sequential disk write/read (dd)."""
import json
import re
import subprocess
import time
from pathlib import Path

from .procs import free_port, pinned


def iperf3(seconds: int, server_cpus: str | None, client_cpus: str | None) -> float:
    """One loopback TCP stream, default 128 KiB writes; returns MiB/s received."""
    port = free_port()
    server = subprocess.Popen(pinned(server_cpus, ["iperf3", "-s", "-1", "-p", str(port)]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # the server needs a moment to listen; retry instead of sleeping a fixed time
            p = subprocess.run(pinned(client_cpus, ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds),
                                                    "-J"]), capture_output=True, text=True)
            try:
                bps = json.loads(p.stdout)["end"]["sum_received"]["bits_per_second"]
                return bps / 8 / 2**20
            except (json.JSONDecodeError, KeyError):  # e.g. "unable to connect" before the server listens
                time.sleep(0.05)
        raise RuntimeError(f"iperf3 failed: {p.stdout[-500:]} {p.stderr[-500:]}")
    finally:
        try:
            server.wait(5)  # iperf3 -s -1 exits after one test
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def dd_rate(stderr: str) -> float:
    """MiB/s from dd's last line ('... copied, 1.2 s, 900 MB/s'), recomputed from bytes and seconds."""
    m = re.search(r"(\d+) bytes .* copied, ([\d.]+) s", stderr)
    if not m:
        raise RuntimeError(f"unexpected dd output: {stderr[-300:]}")
    return int(m.group(1)) / float(m.group(2)) / 2**20


def dd_write_fdatasync(path: Path, mib: int) -> float:
    path.unlink(missing_ok=True)
    p = subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={mib}", "conv=fdatasync"],
                       capture_output=True, text=True, check=True)
    return dd_rate(p.stderr)


def dd_read_cached(path: Path) -> float:
    """Read the file just written (still in the page cache: no cache drop)."""
    p = subprocess.run(["dd", f"if={path}", "of=/dev/null", "bs=1M"], capture_output=True, text=True, check=True)
    return dd_rate(p.stderr)


def measure(work: Path, reps: int, iperf_seconds: int, dd_mib: int, broker_cpus: str, client_cpus: str) -> dict:
    """Each limit reps times; values in MiB/s (the unit of Kafka's perf tools)."""
    out = {"loopback_tcp_mib_s": [], "loopback_tcp_split_mib_s": [], "disk_write_fdatasync_mib_s": [],
           "page_cache_read_mib_s": []}
    f = work / "dd.bin"
    for _ in range(reps):
        out["loopback_tcp_mib_s"].append(iperf3(iperf_seconds, None, None))
        out["loopback_tcp_split_mib_s"].append(iperf3(iperf_seconds, broker_cpus, client_cpus))
        out["disk_write_fdatasync_mib_s"].append(dd_write_fdatasync(f, dd_mib))
        out["page_cache_read_mib_s"].append(dd_read_cached(f))
    f.unlink(missing_ok=True)
    return out
