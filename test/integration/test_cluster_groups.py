"""Consumer groups on three brokers: the coordinator (leader of the group's __consumer_offsets partition) is
killed with kill -9; the group moves to the new coordinator with its committed offsets, and members resume
from them."""
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition

from harness.wait import wait_until
from cluster_util import SESSION_TIMEOUT_MS, create_topic, partition_state, start_cluster, wait_full_isr

HERE = Path(__file__).resolve().parent
PARTITIONS = 6
OFFSETS_PARTITIONS = 50


def java_string_hash(s: str) -> int:
    h = 0
    for ch in s:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def offsets_partition(group: str) -> int:
    """Kafka's partitionFor(group): abs(hashCode) % offsets.topic.num.partitions (abs of MIN_VALUE is 0)."""
    h = java_string_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % OFFSETS_PARTITIONS


class Member:
    def __init__(self, bootstrap, topic, group, out: Path):
        self.out = out
        self.f = open(out, "w")
        self.p = subprocess.Popen([sys.executable, str(HERE / "group_member.py"), "confluent", bootstrap, topic,
                                   group], stdout=self.f, stderr=subprocess.STDOUT)

    def reads(self) -> list[tuple[int, int]]:
        out = []
        for line in self.out.read_text().splitlines():
            if line.startswith("READ "):
                _, p, o = line.split()[:3]
                out.append((int(p), int(o)))
        return out

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.f.close()


def produce(bootstrap, topic, n, start):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i in range(start, start + n):
        p.produce(topic, value=str(i).encode(), partition=i % PARTITIONS)
    assert p.flush(60) == 0


def committed(bootstrap, group) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        tps = c.committed([TopicPartition("events", p) for p in range(PARTITIONS)], timeout=20)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        c.close()


def test_group_survives_coordinator_kill(cluster, tmp_path):
    start_cluster(cluster, extra={"offsets.topic.num.partitions": str(OFFSETS_PARTITIONS)})
    zk = cluster.zk
    create_topic(cluster.bootstrap, "events", PARTITIONS)
    wait_full_isr(zk, "events", PARTITIONS)
    group = "g-failover"
    members = [Member(cluster.bootstrap, "events", group, tmp_path / f"m{i}.out") for i in range(2)]
    try:
        produce(cluster.bootstrap, "events", 600, 0)
        wait_until(lambda: sum(committed(cluster.bootstrap, group).values()) == 600, 90,
                   "all 600 records committed by the group")
        before = committed(cluster.bootstrap, group)
        reads_before = [len(m.reads()) for m in members]
        coordinator = partition_state(zk, "__consumer_offsets", offsets_partition(group))["leader"]
        cluster.brokers[coordinator].kill()
        wait_until(lambda: partition_state(zk, "__consumer_offsets", offsets_partition(group))["leader"]
                   not in (coordinator, -1), SESSION_TIMEOUT_MS / 1000 + 15, "a new coordinator")
        survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != coordinator)
        # The committed offsets are on the new coordinator (it loaded them from __consumer_offsets).
        assert wait_until(lambda: committed(survivors, group) == before, 60, "offsets from the new coordinator")
        produce(survivors, "events", 600, 600)
        wait_until(lambda: sum(committed(survivors, group).values()) == 1200, 120,
                   "the next 600 records committed through the new coordinator")
        # Members resumed from the committed offsets: nothing below them was read again.
        for m, n in zip(members, reads_before):
            again = [(p, o) for p, o in m.reads()[n:] if o < before[p]]
            assert not again, f"re-read committed records after the failover: {again[:10]}"
    finally:
        for m in members:
            m.stop()
