"""Acknowledged records survive kill -9; a torn tail is cut on recovery; SIGTERM shuts down cleanly."""
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from harness.wire import KafkaConnection

from kafka_raw import create_topics, list_offset

pytestmark = pytest.mark.asan


def produce_acked(bootstrap: str, topic: str, count: int, prefix: str) -> list[tuple[int, bytes]]:
    """Produces count records with acks=all; returns (offset, value) of every acknowledged one."""
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append((msg.offset(), msg.value()))

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "enable.idempotence": True})
    for i in range(count):
        p.produce(topic, key=f"k{i}".encode(), value=f"{prefix}-{i}".encode(), on_delivery=on_delivery)
        if i % 500 == 0:
            p.poll(0)
    assert p.flush(30) == 0
    return acked


def consume_all(bootstrap: str, topic: str, end: int) -> list[tuple[int, bytes]]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "durability-check", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    out = []
    deadline = time.time() + 60
    while (not out or out[-1][0] < end - 1) and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        out.append((m.offset(), m.value()))
    c.close()
    return out


def segment_files(broker, topic: str) -> list[Path]:
    return sorted((Path(broker.log_dir) / f"{topic}-0").glob("*.log"))


def test_kill_minus_nine_keeps_every_acknowledged_record(broker):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"durable": (1, 1)})["durable"][0] == 0
    acked = produce_acked(broker.bootstrap, "durable", 3000, "a")
    assert len(acked) == 3000
    broker.kill()
    broker.start()
    got = consume_all(broker.bootstrap, "durable", 3000)
    assert got == sorted(acked)
    # Appends continue with dense offsets after recovery.
    more = produce_acked(broker.bootstrap, "durable", 10, "b")
    assert [o for o, _ in more] == list(range(3000, 3010))
    assert broker.sanitizer_report() is None


def test_torn_tail_is_cut_and_log_continues(broker):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"torn": (1, 1)})["torn"][0] == 0
    acked = produce_acked(broker.bootstrap, "torn", 500, "a")
    broker.kill()
    # A crash in the middle of a write: half a batch of garbage after the last complete batch.
    with open(segment_files(broker, "torn")[-1], "ab") as f:
        f.write(b"\x00\x00\x00\x00\x00\x00\x01\xf4\x00\x00\x01\x00\x02garbage")
    broker.start()
    got = consume_all(broker.bootstrap, "torn", len(acked))
    assert got == sorted(acked)
    with KafkaConnection.to(broker.bootstrap) as c:
        assert list_offset(c, "torn", 0, -1) == (0, len(acked))
    more = produce_acked(broker.bootstrap, "torn", 5, "b")
    assert [o for o, _ in more] == list(range(len(acked), len(acked) + 5))


def test_sigterm_shuts_down_cleanly(broker):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"clean": (1, 1)})["clean"][0] == 0
    produce_acked(broker.bootstrap, "clean", 100, "a")
    assert broker.stop() == 0
    assert (Path(broker.log_dir) / ".kafka_cleanshutdown").exists()
    for name in ("recovery-point-offset-checkpoint", "replication-offset-checkpoint", "meta.properties"):
        assert (Path(broker.log_dir) / name).exists(), name
    broker.start()
    assert [o for o, _ in consume_all(broker.bootstrap, "clean", 100)] == list(range(100))
    assert broker.stop() == 0
    assert broker.sanitizer_report() is None
