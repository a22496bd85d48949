"""Connections: idle ones are closed after connections.max.idle.ms, busy ones are not; pipelined requests are
answered in order; frames arrive in any split; a slow reader of large fetches gets every byte while others
are served."""
import socket
import struct
import time

import pytest
from harness.wire import API_API_VERSIONS, KafkaConnection, Reader, Writer
from kafka.record.default_records import DefaultRecordBatch

from kafka_raw import build_batch, create_topics, list_offset, produce

pytestmark = pytest.mark.asan

FETCH = 1


def test_idle_connection_is_closed_and_active_one_kept(broker_factory):
    b = broker_factory(1, {"connections.max.idle.ms": "1500"})
    host, port = b.bootstrap.split(":")
    idle = socket.create_connection((host, int(port)), timeout=10)
    t0 = time.time()
    with KafkaConnection.to(b.bootstrap) as active:
        closed = False
        while time.time() - t0 < 10:
            assert active.api_versions().error_code == 0  # keeps this one busy
            idle.settimeout(0.2)
            try:
                if idle.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
        assert closed, "idle connection was not closed"
        assert time.time() - t0 >= 1.4
        assert active.api_versions().error_code == 0


def request_frame(api_key: int, version: int, correlation_id: int, body: bytes) -> bytes:
    payload = Writer().int16(api_key).int16(version).int32(correlation_id).string("conn-test").bytes() + body
    return struct.pack(">i", len(payload)) + payload


def test_pipelined_requests_in_one_write_are_answered_in_order(module_broker):
    with KafkaConnection.to(module_broker.bootstrap, timeout=10) as c:
        c.sock.sendall(b"".join(request_frame(API_API_VERSIONS, 0, cid, b"") for cid in range(1, 201)))
        for cid in range(1, 201):
            frame = c.recv_frame()
            assert struct.unpack(">i", frame[:4])[0] == cid
            assert struct.unpack(">h", frame[4:6])[0] == 0  # error code


def test_large_produce_frame_sent_in_small_pieces(module_broker):
    """A 300 KiB frame (read straight into its own buffer) and its size prefix arrive in many small sends."""
    with KafkaConnection.to(module_broker.bootstrap, timeout=10) as c:
        assert create_topics(c, {"pieces": (1, 1)})["pieces"][0] == 0
        now = int(time.time() * 1000)
        batch = build_batch([(None, bytes([i % 251]) * 1000, now) for i in range(300)])
        w = Writer().string(None).int16(1).int32(10000)
        w.int32(1).string("pieces").int32(1).int32(0).int32(len(batch)).raw(bytes(batch))
        data = request_frame(0, 8, 77, w.bytes())
        assert len(data) > 300_000
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cuts = [0, 1, 3] + list(range(5, len(data), 7001)) + [len(data)]
        for a, b in zip(cuts, cuts[1:]):
            c.sock.sendall(data[a:b])
        frame = c.recv_frame()
        r = Reader(frame)
        assert r.int32() == 77
        assert r.int32() == 1 and r.string() == "pieces" and r.int32() == 1
        assert r.int32() == 0 and r.int16() == 0 and r.int64() == 0  # partition, error, base offset
        assert list_offset(c, "pieces", 0, -1) == (0, 300)


def fetch_body(topic: str, offset: int, max_bytes: int) -> bytes:
    """Fetch v4: replica -1, max wait 0, min bytes 0, one partition."""
    w = Writer().int32(-1).int32(0).int32(0).int32(max_bytes).int8(0)
    return w.int32(1).string(topic).int32(1).int32(0).int64(offset).int32(max_bytes).bytes()


def fetched_records(frame: bytes) -> tuple[int, int, bytes]:
    """(correlation id, error, records bytes) of a Fetch v4 response for one partition."""
    r = Reader(frame)
    cid = r.int32()
    r.int32()  # throttle
    assert r.int32() == 1
    r.string()
    assert r.int32() == 1
    r.int32()
    err = r.int16()
    r.int64(), r.int64()
    r.array(lambda x: (x.int64(), x.int64()))
    size = r.int32()
    return cid, err, frame[r.pos:r.pos + size]


def values_of(records: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos + 12 <= len(records):
        length = struct.unpack(">i", records[pos + 8:pos + 12])[0]
        out += [rec.value for rec in DefaultRecordBatch(records[pos:pos + 12 + length])]
        pos += 12 + length
    return out


def test_slow_reader_of_large_fetches_gets_every_byte_while_others_are_served(module_broker):
    """Eight 3 MiB fetch answers (sent with sendfile) queue behind a reader that does not read: the broker's
    writes stop at a full socket, it serves another client meanwhile, and then every byte arrives in order."""
    with KafkaConnection.to(module_broker.bootstrap, timeout=20) as c:
        assert create_topics(c, {"slow-reader": (1, 1)})["slow-reader"][0] == 0
        now = int(time.time() * 1000)
        expected = []
        for b in range(6):
            values = [bytes([b, i % 256]) * 500 for i in range(500)]
            expected += values
            assert produce(c, "slow-reader", 0, build_batch([(None, v, now) for v in values]))["error"] == 0
    host, port = module_broker.bootstrap.split(":")
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    slow.settimeout(20)
    slow.connect((host, int(port)))
    slow.sendall(b"".join(request_frame(FETCH, 4, cid, fetch_body("slow-reader", 0, 8 << 20))
                          for cid in range(1, 9)))
    with KafkaConnection.to(module_broker.bootstrap, timeout=10) as other:
        for _ in range(20):
            assert other.api_versions().error_code == 0
    reader = KafkaConnection.__new__(KafkaConnection)
    reader.sock = slow
    try:
        for cid in range(1, 9):
            got_cid, err, records = fetched_records(reader.recv_frame())
            assert (got_cid, err) == (cid, 0)
            assert values_of(records) == expected
    finally:
        slow.close()
