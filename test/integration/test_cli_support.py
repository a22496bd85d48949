"""Helpers for the test_cli_* modules: run the real `gregor` binary (no tests here).

The binary is $GREGOR_CLI, else <build dir>/client/cli/gregor (GREGOR_BUILD_DIR, as for the broker).
"""
import os
import struct
import subprocess
from pathlib import Path

import pytest

from harness.paths import build_dir


def gregor_binary() -> Path:
    return Path(os.environ.get("GREGOR_CLI", build_dir() / "client" / "cli" / "gregor"))


def gregor(bootstrap: str | None, *args: str, input: str | None = None, timeout: float = 120,
           check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs `gregor [--brokers B] args...`; with check, a non-zero exit fails the test with stderr."""
    binary = gregor_binary()
    if not binary.exists():
        pytest.fail(f"gregor CLI not built at {binary} (set GREGOR_CLI or GREGOR_BUILD_DIR)")
    cmd = [str(binary)] + (["--brokers", bootstrap] if bootstrap else []) + list(args)
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r


def producer_fields(log_dir: Path, topic: str, partition: int = 0) -> list[tuple[int, int, int, int]]:
    """(producer id, producer epoch, base sequence, record count) of each batch on disk."""
    out = []
    for seg in sorted((Path(log_dir) / f"{topic}-{partition}").glob("*.log")):
        data, pos = seg.read_bytes(), 0
        while pos + 61 <= len(data):
            length = struct.unpack_from(">i", data, pos + 8)[0]
            if length <= 0 or pos + 12 + length > len(data):
                break
            pid, epoch, seq, count = struct.unpack_from(">qhii", data, pos + 43)
            out.append((pid, epoch, seq, count))
            pos += 12 + length
    return out
