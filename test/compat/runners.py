"""Runs each third-party client program: produce a record list, consume N records back."""
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness.paths import COMPAT_BIN, JAVA_JAR, REPO
from records import Rec, parse_output, write_spec

CLIENTS = ["java", "kcat", "confluent", "kafka-python", "franz-go"]
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PYCLIENT = Path(__file__).parent / "clients" / "pyclient.py"
FRANZ = COMPAT_BIN / "franz-compat"
# Each client bounds its own produce and consume phases by CLIENT_TIMEOUT; the process as a
# whole (JVM start included) by TIMEOUT. Generous: the machine has 2 cores shared with builds.
CLIENT_TIMEOUT = int(os.environ.get("COMPAT_CLIENT_TIMEOUT", "120"))
TIMEOUT = 2 * CLIENT_TIMEOUT + 60


class ClientError(AssertionError):
    pass


def missing_tools(client: str) -> str | None:
    """Why a client cannot run here (install.sh not run), or None."""
    need = {"java": JAVA_JAR, "franz-go": FRANZ}
    if client in need and not need[client].exists():
        return f"{need[client]} missing: run test/compat/install.sh"
    if client == "kcat" and not shutil.which("kcat"):
        return "kcat missing: run test/compat/install.sh"
    return None


def require(client: str) -> None:
    """Fail (not skip) when a client is missing: a compat run that tests nothing must not pass."""
    why = missing_tools(client)
    if why:
        import pytest
        pytest.fail(why)


LOG_DIR: Path | None = None  # conftest points this at a pytest temp dir
_run_seq = itertools.count()


def keep_stderr(what: str, stderr: bytes) -> str:
    """Save a client's whole stderr (debug logs can be long); returns where, for messages."""
    if LOG_DIR is None or not stderr:
        return ""
    path = LOG_DIR / f"{next(_run_seq):04d}-{what.replace(' ', '-')}.stderr"
    path.write_bytes(stderr)
    return f" (full stderr: {path})"


def run(argv: list, what: str, stdin: bytes | None = None, timeout: float = TIMEOUT) -> str:
    try:
        p = subprocess.run([str(a) for a in argv], input=stdin, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        where = keep_stderr(what, e.stderr or b"")
        raise ClientError(f"{what} timed out after {timeout}s{where}:\n"
                          f"{(e.stderr or b'').decode(errors='replace')[-3000:]}")
    where = keep_stderr(what, p.stderr)
    if p.returncode != 0:
        raise ClientError(f"{what} exited {p.returncode}{where}:\n"
                          f"{p.stderr.decode(errors='replace')[-3000:]}")
    return p.stdout.decode()


def java(cls: str, *args) -> list:
    return ["java", "-Xmx256m", "-XX:TieredStopAtLevel=1",  # short-lived: start fast
            f"-Dcompat.timeout.ms={CLIENT_TIMEOUT * 1000}",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", JAVA_JAR, f"gregor.compat.{cls}", *args]


def producible(client: str, recs: list[Rec]) -> list[Rec]:
    """recs as this client can send them: kafka-python 3.0 rejects null header values
    ("All headers items must be (str, bytes) tuples"), so its records carry none."""
    if client != "kafka-python":
        return recs
    return [Rec(r.timestamp, r.key, r.value, tuple(h for h in r.headers if h[1] is not None))
            for r in recs]


def produce(client: str, bootstrap: str, topic: str, codec: str, recs: list[Rec],
            workdir: Path) -> None:
    """Produce recs to partition 0 of topic and wait for every acknowledgement."""
    spec = write_spec(workdir / f"{topic}.spec", recs)
    n = str(len(recs))
    if client == "java":
        run(java("RoundTrip", bootstrap, topic, codec, n, "produce", spec), "java produce")
    elif client == "franz-go":
        run([FRANZ, "-mode", "produce", "-bootstrap", bootstrap, "-topic", topic, "-codec", codec,
             "-count", n, "-spec", spec, "-timeout", f"{CLIENT_TIMEOUT}s"], "franz-go produce")
    elif client in ("confluent", "kafka-python"):
        run([sys.executable, PYCLIENT, "--lib", client, "--mode", "produce", "--bootstrap",
             bootstrap, "--topic", topic, "--codec", codec, "--count", n, "--spec", spec,
             "--timeout", str(CLIENT_TIMEOUT)],
            f"{client} produce")
    elif client == "kcat":
        kcat_produce(bootstrap, topic, codec, recs)
    else:
        raise ValueError(client)


def consume(client: str, bootstrap: str, topic: str, count: int) -> list[Rec]:
    """Read count records of partition 0 from offset 0, in the canonical form."""
    n = str(count)
    if client == "java":
        out = run(java("RoundTrip", bootstrap, topic, "none", n, "consume"), "java consume")
    elif client == "franz-go":
        out = run([FRANZ, "-mode", "consume", "-bootstrap", bootstrap, "-topic", topic,
                   "-count", n, "-timeout", f"{CLIENT_TIMEOUT}s"], "franz-go consume")
    elif client in ("confluent", "kafka-python"):
        out = run([sys.executable, PYCLIENT, "--lib", client, "--mode", "consume", "--bootstrap",
                   bootstrap, "--topic", topic, "--count", n, "--timeout", str(CLIENT_TIMEOUT)],
                  f"{client} consume")
    elif client == "kcat":
        return kcat_consume(bootstrap, topic, count)
    else:
        raise ValueError(client)
    return parse_output(out)


GROUP_CLIENTS = ["java", "confluent", "kafka-python", "franz-go"]


def group_consume(client: str, bootstrap: str, topic: str, group: str, count: int) -> list[Rec]:
    """Join group (subscribe), read count records of the single-partition topic, commit the
    offset after the last one, leave. Starts at the group's committed offset (else earliest)."""
    n = str(count)
    if client == "java":
        out = run(java("GroupConsume", bootstrap, topic, group, n), "java group consume")
    elif client == "franz-go":
        out = run([FRANZ, "-mode", "group", "-group", group, "-bootstrap", bootstrap, "-topic",
                   topic, "-count", n, "-timeout", f"{CLIENT_TIMEOUT}s"], "franz-go group consume")
    elif client in ("confluent", "kafka-python"):
        out = run([sys.executable, PYCLIENT, "--lib", client, "--mode", "group", "--group", group,
                   "--bootstrap", bootstrap, "--topic", topic, "--count", n, "--timeout",
                   str(CLIENT_TIMEOUT)], f"{client} group consume")
    else:
        raise ValueError(client)
    return parse_output(out)


# kcat cannot set per-message headers or timestamps: the headers of the first record go
# to every record (-H), values and keys are text lines, and librdkafka stamps the time.
KCAT_KEY_DELIM = "\t"


def kcat_fixed_headers(recs: list[Rec]) -> tuple:
    return recs[0].headers


def kcat_produce(bootstrap: str, topic: str, codec: str, recs: list[Rec]) -> None:
    lines = []
    for r in recs:
        if r.key is None:
            raise ValueError("kcat cannot produce a null key alongside -K")
        for field in (r.key, r.value or b""):
            if b"\n" in field or KCAT_KEY_DELIM.encode() in field:
                raise ValueError(f"kcat cannot produce {field!r}")
        if r.value == b"":
            raise ValueError("kcat -Z turns empty values into null")
        lines.append(r.key + KCAT_KEY_DELIM.encode() + (r.value or b""))
    argv = ["kcat", "-P", "-b", bootstrap, "-t", topic, "-p", "0", "-K", KCAT_KEY_DELIM, "-Z",
            "-X", "linger.ms=20", "-X", "enable.idempotence=true", "-m", "30"]
    if codec != "none":
        argv += ["-z", codec]
    for name, value in kcat_fixed_headers(recs):
        argv += ["-H", name if value is None else f"{name}={value.decode()}"]
    run(argv, "kcat produce", stdin=b"\n".join(lines) + b"\n")


KCAT_FORMAT = "%o %T %K %S %h\n%k%s\n"


def kcat_consume(bootstrap: str, topic: str, count: int, output: str = "format") -> list[Rec]:
    """kcat -C -o beginning -e; output="format" parses -f KCAT_FORMAT (key and value are
    length-prefixed, so any bytes survive; headers print as name=value CSV, null as NULL),
    output="json" parses the -J envelope."""
    argv = ["kcat", "-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", "beginning", "-e",
            "-c", str(count), "-m", "30"]
    if output == "json":
        return parse_kcat_json(run(argv + ["-J"], "kcat consume -J"))
    p = subprocess.run(argv + ["-f", KCAT_FORMAT], capture_output=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise ClientError(f"kcat consume exited {p.returncode}:\n{p.stderr.decode()[-3000:]}")
    return parse_kcat_format(p.stdout)


def parse_kcat_format(out: bytes) -> list[Rec]:
    recs, pos = [], 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        offset, ts, klen, vlen, hdrs = out[pos:eol].decode().split(" ", 4)
        pos = eol + 1
        key = value = None
        if int(klen) >= 0:
            key, pos = out[pos:pos + int(klen)], pos + int(klen)
        if int(vlen) >= 0:
            value, pos = out[pos:pos + int(vlen)], pos + int(vlen)
        if out[pos:pos + 1] != b"\n":
            raise ClientError(f"kcat output out of step at byte {pos}")
        pos += 1
        headers = []
        for item in hdrs.split(",") if hdrs else []:
            name, _, v = item.partition("=")
            headers.append((name, None if v == "NULL" else v.encode()))
        recs.append(Rec(int(ts), key, value, tuple(headers), int(offset)))
    return recs


def parse_kcat_json(out: str) -> list[Rec]:
    recs = []
    for line in out.splitlines():
        if not line.strip():
            continue
        m = json.loads(line)
        hs = m.get("headers") or []
        headers = tuple((hs[i], None if hs[i + 1] is None else hs[i + 1].encode())
                        for i in range(0, len(hs), 2))
        enc = (lambda s: None if s is None else s.encode())
        recs.append(Rec(m["ts"], enc(m.get("key")), enc(m.get("payload")), headers, m["offset"]))
    return recs


def now_ms() -> int:
    return int(time.time() * 1000)


def ensure_on_path() -> None:
    sys.path.insert(0, str(REPO / "test"))
