"""Helpers for the three-broker cluster tests: topic set-up, ZooKeeper partition state, load, verification."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness.paths import build_dir
from harness.wait import wait_until

SESSION_TIMEOUT_MS = 6000
HERE = Path(__file__).resolve().parent

# Cluster settings shared by the tests: acks=all needs two in-sync replicas; ISR changes and preferred
# leader checks on test time scales.
CLUSTER_PROPS = {
    "zookeeper.session.timeout.ms": str(SESSION_TIMEOUT_MS),
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "offsets.topic.replication.factor": "3",
    "replica.lag.time.max.ms": "4000",
    "auto.leader.rebalance.enable": "false",
    "controlled.shutdown.retry.backoff.ms": "500",
    "unclean.leader.election.enable": "false",
}


def start_cluster(cluster, ids=(1, 2, 3), extra: dict | None = None):
    props = dict(CLUSTER_PROPS)
    props.update(extra or {})
    cluster.add_brokers(list(ids), props)
    wait_until(lambda: len(cluster.zk.client().get_children("/brokers/ids")) == len(ids), 30,
               "all brokers registered")
    return cluster


def create_topic(bootstrap: str, topic: str, partitions: int, rf: int = 3, config: dict | None = None) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(topic, partitions, rf, config=config or {})], request_timeout=30)
    fut[topic].result(timeout=60)


def partition_state(zk, topic: str, partition: int) -> dict | None:
    try:
        return zk.read_json(f"/brokers/topics/{topic}/partitions/{partition}/state")
    except Exception:
        return None


def controller_id(zk) -> int | None:
    try:
        return zk.read_json("/controller")["brokerid"]
    except Exception:
        return None


def controller_epoch(zk) -> int:
    client = zk.client()
    data, _ = client.get("/controller_epoch")
    return int(data.decode())


def wait_full_isr(zk, topic: str, partitions: int, replicas: int = 3, timeout: float = 60) -> dict:
    def full():
        states = {p: partition_state(zk, topic, p) for p in range(partitions)}
        if all(s and s["leader"] >= 0 and len(s["isr"]) == replicas for s in states.values()):
            return states
        return None
    return wait_until(full, timeout, f"{topic}: every partition has a leader and an ISR of {replicas}")


def leaders(zk, topic: str, partitions: int) -> dict[int, int]:
    return {p: partition_state(zk, topic, p)["leader"] for p in range(partitions)}


class LoadProducer:
    """cluster_load.py in a child process; acknowledged records are read back from its JSON-lines file."""

    def __init__(self, bootstrap: str, topic: str, partitions: int, out: Path, rate: int = 2000,
                 idempotent: bool = True):
        self.out = out
        self.log = out.with_suffix(".out")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "cluster_load.py"), bootstrap, topic, str(out),
             "--partitions", str(partitions), "--rate", str(rate), "--idempotent", "1" if idempotent else "0"],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, start_new_session=True)

    def reports(self) -> list[dict]:
        if not self.out.exists():
            return []
        lines = self.out.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def acked(self) -> list[dict]:
        return [r for r in self.reports() if "err" not in r]

    def failed(self) -> list[dict]:
        return [r for r in self.reports() if "err" in r]

    def wait_acked(self, at_least: int, timeout: float = 60) -> None:
        wait_until(lambda: len(self.acked()) >= at_least, timeout,
                   f"{at_least} acknowledged records (log: {self.log.read_text()[-2000:]})")

    def stop(self, timeout: float = 180) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"load producer did not finish: {self.log.read_text()[-2000:]}")


def watermark_high(c: Consumer, topic: str, partition: int, timeout: float) -> int:
    """The high watermark, retried while the cluster settles after a kill: librdkafka fails a request queued
    to a broker that just left the metadata with _DESTROY_BROKER, and a survivor whose UpdateMetadata is
    still in flight may name the dead broker as leader or coordinator for a moment (Kafka does the same)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)[1]
        except KafkaException as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"no high watermark for {topic}-{partition} within {timeout}s: {e}")
            time.sleep(0.2)


def consume_all(bootstrap: str, topic: str, partitions: int, timeout: float = 60) -> dict[int, list[tuple]]:
    """Every record of every partition up to its high watermark: {partition: [(offset, value), ...]}."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"verify-{time.time_ns()}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "enable.partition.eof": True})
    try:
        ends = {p: watermark_high(c, topic, p, timeout) for p in range(partitions)}
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out: dict[int, list[tuple]] = {p: [] for p in range(partitions)}
        done = {p for p in range(partitions) if ends[p] == 0}
        deadline = time.monotonic() + timeout
        while len(done) < partitions:
            assert time.monotonic() < deadline, f"consumed only {[(p, len(v)) for p, v in out.items()]} of {ends}"
            msg = c.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                continue  # partition EOF and transient errors
            out[msg.partition()].append((msg.offset(), msg.value().decode()))
            if msg.offset() + 1 >= ends[msg.partition()]:
                done.add(msg.partition())
        return out
    finally:
        c.close()


def check_exactly_once_in_order(acked: list[dict], consumed: dict[int, list[tuple]]) -> None:
    """Every acknowledged record is in its partition exactly once, at the acknowledged offset; no value
    appears twice anywhere; per partition the values (sequence numbers) only increase."""
    seen: dict[str, int] = {}
    for p, records in consumed.items():
        last = -1
        for offset, value in records:
            assert value not in seen, f"value {value} duplicated (partition {p} offset {offset})"
            seen[value] = p
            assert int(value) > last, f"partition {p}: {value} after {last} at offset {offset}"
            last = int(value)
    by_offset = {(p, o): v for p, recs in consumed.items() for o, v in recs}
    lost = [r for r in acked if by_offset.get((r["p"], r["o"])) != r["v"]]
    assert not lost, f"{len(lost)} acknowledged records missing or moved, e.g. {lost[:5]}"


def gregor_cli() -> Path:
    return build_dir() / "client" / "cli" / "gregor"
