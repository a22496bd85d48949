"""Malformed and unexpected requests: Kafka's answers, and the broker stays up for everyone else."""
import socket
import struct

import pytest

from harness import KafkaConnection
from harness.wire import Reader, Writer, parse_api_versions_v0


def header(api_key: int, version: int, cid: int, client_id: str | None = "bad-input") -> bytes:
    return Writer().int16(api_key).int16(version).int32(cid).string(client_id).bytes()


def closed_by_peer(c: KafkaConnection, timeout: float = 10.0) -> bool:
    """True when the broker closes the connection (EOF or reset) within timeout."""
    c.sock.settimeout(timeout)
    try:
        return c.sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def still_serving(broker) -> None:
    with KafkaConnection.to(broker.bootstrap) as c:
        assert c.api_versions().error_code == 0
    assert broker.running()


def test_too_new_api_versions_gets_v0_unsupported_version_and_connection_stays(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        # v99 would use header v2 (tagged fields); the broker must not parse the body.
        c.send_frame(header(18, 99, 7) + b"\x00" + b"\xde\xad\xbe\xef")
        frame = c.recv_frame()
        assert struct.unpack(">i", frame[:4])[0] == 7
        resp = parse_api_versions_v0(frame[4:])
        assert resp.error_code == 35  # UNSUPPORTED_VERSION
        r18 = resp.range(18)
        assert r18 is not None and r18.min_version == 0 and r18.max_version >= 3
        # Same connection, retried with v0, works.
        assert c.api_versions().error_code == 0
    still_serving(module_broker)


@pytest.mark.parametrize("payload", [
    pytest.param(header(9999, 0, 1), id="unknown-api-key"),
    pytest.param(header(3, 999, 1) + b"\x00\x00\x00\x00", id="unsupported-metadata-version"),
    pytest.param(b"\x00\x03", id="truncated-header"),
    pytest.param(header(3, 1, 1) + b"\x00\x00\x00\x05\x00", id="truncated-metadata-body"),
])
def test_unparseable_request_closes_only_that_connection(module_broker, payload):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        c.send_frame(payload)
        assert closed_by_peer(c), "broker kept a connection open after an unparseable request"
    still_serving(module_broker)


@pytest.mark.parametrize("size", [-1, 0x7FFFFFFF, 200 * 1024 * 1024])
def test_bad_frame_sizes_close_the_connection(module_broker, size):
    """Negative or larger than socket.request.max.bytes (100 MiB): close, never allocate."""
    with KafkaConnection.to(module_broker.bootstrap) as c:
        c.sock.sendall(struct.pack(">i", size) + b"\x00" * 16)
        assert closed_by_peer(c)
    still_serving(module_broker)


def test_client_vanishing_mid_frame_does_not_hurt(module_broker):
    for _ in range(20):
        with KafkaConnection.to(module_broker.bootstrap) as c:
            c.sock.sendall(struct.pack(">i", 100) + header(18, 0, 1)[:5])
    still_serving(module_broker)


def test_null_client_id_is_accepted(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        c.send_frame(header(18, 0, 42, client_id=None))
        frame = c.recv_frame()
    assert Reader(frame).int32() == 42
    assert parse_api_versions_v0(frame[4:]).error_code == 0
