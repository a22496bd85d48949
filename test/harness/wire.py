"""A raw-socket mini Kafka client: ApiVersions v0, Metadata v1, CreateTopics v0, raw frames.

Used for broker readiness and for bad-input tests, where a real client library
would refuse to send what the test needs.
"""
import socket
import struct
from dataclasses import dataclass, field

API_PRODUCE = 0
API_METADATA = 3
API_API_VERSIONS = 18
API_CREATE_TOPICS = 19


class ProtocolError(Exception):
    pass


class Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def int8(self, v: int) -> "Writer":
        self.parts.append(struct.pack(">b", v))
        return self

    def int16(self, v: int) -> "Writer":
        self.parts.append(struct.pack(">h", v))
        return self

    def int32(self, v: int) -> "Writer":
        self.parts.append(struct.pack(">i", v))
        return self

    def int64(self, v: int) -> "Writer":
        self.parts.append(struct.pack(">q", v))
        return self

    def string(self, s: str | None) -> "Writer":
        if s is None:
            return self.int16(-1)
        b = s.encode()
        self.int16(len(b))
        self.parts.append(b)
        return self

    def raw(self, b: bytes) -> "Writer":
        self.parts.append(b)
        return self

    def bytes(self) -> bytes:
        return b"".join(self.parts)


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolError(f"truncated: need {n} bytes at {self.pos} of {len(self.data)}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int8(self) -> int:
        return struct.unpack(">b", self._take(1))[0]

    def int16(self) -> int:
        return struct.unpack(">h", self._take(2))[0]

    def int32(self) -> int:
        return struct.unpack(">i", self._take(4))[0]

    def int64(self) -> int:
        return struct.unpack(">q", self._take(8))[0]

    def boolean(self) -> bool:
        return self.int8() != 0

    def string(self) -> str | None:
        n = self.int16()
        if n < 0:
            return None
        return self._take(n).decode()

    def array(self, item) -> list | None:
        n = self.int32()
        if n < 0:
            return None
        if n > len(self.data):  # every element takes at least one byte
            raise ProtocolError(f"array length {n} exceeds the frame")
        return [item(self) for _ in range(n)]

    def remaining(self) -> int:
        return len(self.data) - self.pos


@dataclass
class ApiVersionRange:
    api_key: int
    min_version: int
    max_version: int


@dataclass
class ApiVersionsResponse:
    error_code: int
    api_keys: list[ApiVersionRange]

    def range(self, api_key: int) -> ApiVersionRange | None:
        return next((r for r in self.api_keys if r.api_key == api_key), None)


@dataclass
class BrokerMeta:
    node_id: int
    host: str
    port: int
    rack: str | None


@dataclass
class PartitionMeta:
    error_code: int
    partition: int
    leader: int
    replicas: list[int]
    isr: list[int]


@dataclass
class TopicMeta:
    error_code: int
    name: str
    is_internal: bool
    partitions: list[PartitionMeta] = field(default_factory=list)


@dataclass
class MetadataResponse:
    brokers: list[BrokerMeta]
    controller_id: int
    topics: list[TopicMeta]

    def topic(self, name: str) -> TopicMeta | None:
        return next((t for t in self.topics if t.name == name), None)


def parse_api_versions_v0(body: bytes) -> ApiVersionsResponse:
    r = Reader(body)
    err = r.int16()
    keys = r.array(lambda x: ApiVersionRange(x.int16(), x.int16(), x.int16())) or []
    if r.remaining():
        raise ProtocolError(f"{r.remaining()} trailing bytes in ApiVersions v0 response")
    return ApiVersionsResponse(err, keys)


def parse_metadata_v1(body: bytes) -> MetadataResponse:
    r = Reader(body)
    brokers = r.array(lambda x: BrokerMeta(x.int32(), x.string(), x.int32(), x.string())) or []
    controller = r.int32()

    def partition(x: Reader) -> PartitionMeta:
        return PartitionMeta(x.int16(), x.int32(), x.int32(),
                             x.array(Reader.int32) or [], x.array(Reader.int32) or [])

    def topic(x: Reader) -> TopicMeta:
        return TopicMeta(x.int16(), x.string(), x.boolean(), x.array(partition) or [])

    topics = r.array(topic) or []
    if r.remaining():
        raise ProtocolError(f"{r.remaining()} trailing bytes in Metadata v1 response")
    return MetadataResponse(brokers, controller, topics)


class KafkaConnection:
    """One blocking connection; requests use header v1 (non-flexible APIs only)."""

    def __init__(self, host: str, port: int, timeout: float = 5.0, client_id: str = "harness"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.client_id = client_id
        self.correlation_id = 0

    @classmethod
    def to(cls, bootstrap: str, timeout: float = 5.0) -> "KafkaConnection":
        host, port = bootstrap.rsplit(":", 1)
        return cls(host, int(port), timeout)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "KafkaConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send_frame(self, payload: bytes) -> None:
        """Send raw bytes with a 4-byte size prefix (for malformed-input tests too)."""
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)

    def recv_frame(self) -> bytes:
        size = struct.unpack(">i", self._recv_exact(4))[0]
        if size < 0:
            raise ProtocolError(f"negative frame size {size}")
        return self._recv_exact(size)

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)

    def request(self, api_key: int, api_version: int, body: bytes) -> bytes:
        """Send one request and return the response body (after the v0 response header)."""
        self.correlation_id += 1
        cid = self.correlation_id
        header = Writer().int16(api_key).int16(api_version).int32(cid).string(self.client_id)
        self.send_frame(header.bytes() + body)
        frame = self.recv_frame()
        r = Reader(frame)
        got = r.int32()
        if got != cid:
            raise ProtocolError(f"correlation id {got}, expected {cid}")
        return frame[4:]

    def api_versions(self) -> ApiVersionsResponse:
        return parse_api_versions_v0(self.request(API_API_VERSIONS, 0, b""))

    def metadata(self, topics: list[str] | None = None) -> MetadataResponse:
        """Metadata v1; topics=None asks for all topics. Kafka auto-creates named topics
        when auto.create.topics.enable is on."""
        w = Writer()
        if topics is None:
            w.int32(-1)
        else:
            w.int32(len(topics))
            for t in topics:
                w.string(t)
        return parse_metadata_v1(self.request(API_METADATA, 1, w.bytes()))

    def create_topics(self, topics: dict[str, tuple[int, int]], timeout_ms: int = 10000,
                      configs: dict[str, dict[str, str]] | None = None) -> dict[str, int]:
        """CreateTopics v0: {name: (partitions, replication_factor)} -> {name: error_code}."""
        w = Writer().int32(len(topics))
        for name, (partitions, rf) in topics.items():
            w.string(name).int32(partitions).int16(rf).int32(0)
            cfg = (configs or {}).get(name, {})
            w.int32(len(cfg))
            for k, v in cfg.items():
                w.string(k).string(v)
        w.int32(timeout_ms)
        r = Reader(self.request(API_CREATE_TOPICS, 0, w.bytes()))
        result = r.array(lambda x: (x.string(), x.int16())) or []
        return dict(result)
