"""Bad input gets Kafka's answer (or a closed connection) and every other client keeps being served."""
import os
import socket
import struct
import time

import pytest
from harness.wire import KafkaConnection, Writer

from kafka_raw import build_batch, create_topics, flip_byte, frame, list_offset, produce

pytestmark = pytest.mark.asan

NOW = int(time.time() * 1000)


def closed_by_broker(sock: socket.socket, timeout: float = 5.0) -> bool:
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def still_serves(broker) -> None:
    with KafkaConnection.to(broker.bootstrap) as c:
        assert c.api_versions().error_code == 0


@pytest.fixture(scope="module")
def topic(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        assert create_topics(c, {"bad-input": (2, 1)})["bad-input"][0] == 0
        assert create_topics(c, {"tiny": (1, 1)}, configs={"tiny": {"max.message.bytes": "200"}})["tiny"][0] == 0
    return "bad-input"


def raw_socket(broker) -> socket.socket:
    host, port = broker.bootstrap.split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_frame_over_size_limit_is_closed(module_broker):
    s = raw_socket(module_broker)
    s.sendall(struct.pack(">i", 200 * 1024 * 1024))  # > socket.request.max.bytes (100 MiB)
    assert closed_by_broker(s)
    still_serves(module_broker)


def test_tls_hello_on_plaintext_port_is_closed(module_broker):
    s = raw_socket(module_broker)
    s.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]))
    assert closed_by_broker(s)
    still_serves(module_broker)


def test_truncated_frame_then_disconnect(module_broker):
    s = raw_socket(module_broker)
    s.sendall(struct.pack(">i", 100) + b"\x00\x03\x00\x01")
    s.close()
    still_serves(module_broker)


def test_client_that_sends_nothing_does_not_block_others(module_broker):
    idle = raw_socket(module_broker)
    still_serves(module_broker)
    idle.close()


def test_unknown_api_key_is_closed(module_broker):
    s = raw_socket(module_broker)
    s.sendall(frame(Writer().int16(999).int16(0).int32(7).string("t").bytes()))
    assert closed_by_broker(s)
    still_serves(module_broker)


def test_unsupported_version_is_closed(module_broker):
    s = raw_socket(module_broker)
    s.sendall(frame(Writer().int16(3).int16(99).int32(7).string("t").bytes()))  # Metadata v99
    assert closed_by_broker(s)
    still_serves(module_broker)


def test_too_new_api_versions_gets_fallback(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        body = c.request(18, 99, b"\x00\x00\x00")
        error, count = struct.unpack(">hi", body[:6])
        assert error == 35  # UNSUPPORTED_VERSION
        assert count == 1
        key, lo, hi = struct.unpack(">hhh", body[6:12])
        assert key == 18 and lo == 0 and hi >= 3
        # The connection stays open and usable (the client retries on it).
        assert c.api_versions().error_code == 0


def test_garbage_bytes_are_closed(module_broker):
    s = raw_socket(module_broker)
    s.sendall(frame(os.urandom(64)))
    assert closed_by_broker(s)
    still_serves(module_broker)


def test_bad_crc_is_corrupt_message_and_nothing_written(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        _, before = list_offset(c, topic, 0, -1)
        batch = build_batch([(b"k", b"v" * 100, NOW)])
        r = produce(c, topic, 0, flip_byte(batch, len(batch) - 5))
        assert r["error"] == 2  # CORRUPT_MESSAGE
        assert list_offset(c, topic, 0, -1)[1] == before
        ok = produce(c, topic, 0, batch)
        assert ok["error"] == 0 and ok["base_offset"] == before


def test_record_too_large(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        r = produce(c, "tiny", 0, build_batch([(b"k", b"x" * 500, NOW)]))
        assert r["error"] == 10  # MESSAGE_TOO_LARGE
        assert list_offset(c, "tiny", 0, -1)[1] == 0


def test_invalid_topic_name(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        r = produce(c, "bad name!", 0, build_batch([(b"k", b"v", NOW)]))
        assert r["error"] == 17  # INVALID_TOPIC_EXCEPTION
        md = c.metadata(["bad name!"])
        assert md.topic("bad name!").error_code == 17


def test_partition_that_does_not_exist(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        r = produce(c, topic, 7, build_batch([(b"k", b"v", NOW)]))
        assert r["error"] == 3  # UNKNOWN_TOPIC_OR_PARTITION


def test_invalid_required_acks(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        r = produce(c, topic, 0, build_batch([(b"k", b"v", NOW)]), acks=2)
        assert r["error"] == 21  # INVALID_REQUIRED_ACKS


def test_batch_with_wrong_record_count_is_invalid_record(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        batch = build_batch([(b"k", b"v", NOW), (b"k2", b"v2", NOW)])
        struct.pack_into(">i", batch, 57, 3)  # recordsCount (outside nothing: fix the CRC below)
        from kafka.record.util import calc_crc32c
        struct.pack_into(">I", batch, 17, calc_crc32c(bytes(batch[21:])))
        r = produce(c, topic, 1, batch)
        assert r["error"] == 87  # INVALID_RECORD


def test_no_sanitizer_report(module_broker):
    still_serves(module_broker)
    assert module_broker.sanitizer_report() is None
