"""Record sets the compat tests produce, and the canonical text form every client prints.

Canonical line: "[offset ]timestamp key value headers"; key/value are "-" for null or
"x" + hex; headers are "h" + comma-separated "namehex:value" (value encoded the same way).
Spec files (producer input) omit the offset.
"""
import time
from dataclasses import dataclass
from pathlib import Path

Header = tuple[str, bytes | None]


@dataclass(frozen=True)
class Rec:
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: tuple[Header, ...] = ()
    offset: int | None = None

    def without_offset(self) -> "Rec":
        return Rec(self.timestamp, self.key, self.value, self.headers)


def enc_bytes(b: bytes | None) -> str:
    return "-" if b is None else "x" + b.hex()


def dec_bytes(s: str) -> bytes | None:
    if s == "-":
        return None
    if not s.startswith("x"):
        raise ValueError(f"bad bytes field {s!r}")
    return bytes.fromhex(s[1:])


def enc_headers(headers) -> str:
    return "h" + ",".join(f"{name.encode().hex()}:{enc_bytes(v)}" for name, v in headers)


def dec_headers(s: str) -> tuple[Header, ...]:
    if not s.startswith("h"):
        raise ValueError(f"bad headers field {s!r}")
    if s == "h":
        return ()
    out = []
    for item in s[1:].split(","):
        name, _, val = item.partition(":")
        out.append((bytes.fromhex(name).decode(), dec_bytes(val)))
    return tuple(out)


def spec_line(r: Rec) -> str:
    return f"{r.timestamp} {enc_bytes(r.key)} {enc_bytes(r.value)} {enc_headers(r.headers)}"


def record_line(r: Rec) -> str:
    return f"{r.offset} {spec_line(r)}"


def parse_record_line(line: str) -> Rec:
    f = line.strip().split(" ")
    if len(f) != 5:
        raise ValueError(f"bad record line {line!r}")
    return Rec(int(f[1]), dec_bytes(f[2]), dec_bytes(f[3]), dec_headers(f[4]), int(f[0]))


def parse_output(text: str) -> list[Rec]:
    return [parse_record_line(line) for line in text.splitlines() if line.strip()]


def write_spec(path: Path, recs: list[Rec]) -> Path:
    path.write_text("".join(spec_line(r) + "\n" for r in recs))
    return path


# An hour ago, fixed for the run. Not a fixed date: Kafka's time-based retention
# (log.retention.hours=168, judged by the newest record timestamp in a segment) deletes
# segments whose records look older than a week, at its next check (every 5 min).
BASE_TS = (int(time.time()) - 3600) * 1000


def full_set(count: int = 50, base_ts: int = BASE_TS) -> list[Rec]:
    """Binary keys and values (NUL, 0xff, newlines), null/empty keys and values, a null
    header value, repeated header names, records without headers, out-of-order timestamps
    and values big enough that compression changes the bytes on the wire."""
    recs = []
    for i in range(count):
        key: bytes | None = b"key-%03d\x00\xff\n %c" % (i, 65 + i % 26)
        if i == 5:
            key = None
        elif i == 11:
            key = b""
        value: bytes | None = bytes((i * 7 + j) % 256 for j in range(i % 5)) + \
            (b"value %d " % i) * (1 + (i * 37) % 200)
        if i % 10 == 7:
            value = None
        elif i == 3:
            value = b""
        headers: tuple[Header, ...] = (
            ("seq", str(i).encode()),
            ("bin", bytes([0, 255, i % 256, 10, 44, 58])),
            ("null-header", None),
            ("dup", b"first"),
            ("dup", b"second"),
            ("\u043a\u043b\u044e\u0447", "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435".encode()),
        )
        if i % 9 == 4:
            headers = ()
        ts = base_ts + 1000 * i
        if i % 8 == 6:
            ts = base_ts - 5000 - i  # older than its predecessors
        recs.append(Rec(ts, key, value, headers))
    return recs


def text_set(count: int = 50, base_ts: int = BASE_TS) -> list[Rec]:
    """Printable ASCII keys/values and headers: what kcat can print and parse losslessly
    (-f header CSV, -J envelope), still with null keys, values and header values."""
    recs = []
    for i in range(count):
        key = None if i == 5 else f'key {i:03d} "q" \\ /'.encode()
        value = None if i % 10 == 7 else (f"value {i} " * (1 + (i * 37) % 120)).encode()
        headers = (("seq", str(i).encode()), ("null-header", None), ("dup", b"a"), ("dup", b"b"))
        if i % 9 == 4:
            headers = ()
        recs.append(Rec(base_ts + 1000 * i, key, value, headers))
    return recs


def assert_same(expected: list[Rec], got: list[Rec], check_timestamps: bool = True) -> None:
    """Byte-identical keys/values/headers, same order, dense offsets from 0."""
    assert len(got) == len(expected), f"got {len(got)} records, expected {len(expected)}"
    for i, (e, g) in enumerate(zip(expected, got)):
        assert g.offset == i, f"record {i}: offset {g.offset}, expected dense offsets from 0"
        assert g.key == e.key, f"record {i}: key {g.key!r} != {e.key!r}"
        assert g.value == e.value, f"record {i}: value {g.value!r:.80} != {e.value!r:.80}"
        assert g.headers == e.headers, f"record {i}: headers {g.headers!r} != {e.headers!r}"
        if check_timestamps:
            assert g.timestamp == e.timestamp, f"record {i}: timestamp {g.timestamp} != {e.timestamp}"


def kcat_set(count: int = 50) -> list[Rec]:
    """What kcat -P can send: text keys and values (no tab/newline), null values via -Z,
    the same headers on every record; timestamps are the producer's clock (0 here)."""
    headers = (("origin", b"kcat"), ("null-header", None), ("dup", b"a"), ("dup", b"b"))
    recs = []
    for i in range(count):
        value = None if i % 10 == 7 else (f"kcat value {i} \"q\" \\ " * (1 + i % 40)).encode()
        recs.append(Rec(0, f"kcat-key-{i:03d} x".encode(), value, headers))
    return recs
