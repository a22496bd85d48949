"""Consumer groups on a real broker: partitions split across mixed clients, rebalance on kill -9,
committed offsets survive a broker restart."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from harness.wire import KafkaConnection

from kafka_raw import create_topics

HERE = Path(__file__).resolve().parent


class Member:
    def __init__(self, client, bootstrap, topic, group, out: Path):
        self.out = out
        self.f = open(out, "w")
        self.p = subprocess.Popen([sys.executable, str(HERE / "group_member.py"), client, bootstrap, topic, group],
                                  stdout=self.f, stderr=subprocess.STDOUT)

    def assignment(self):
        lines = [ln for ln in self.out.read_text().splitlines() if ln.startswith("ASSIGNED")]
        if not lines:
            return None
        body = lines[-1][len("ASSIGNED "):]
        return {int(x) for x in body.split(",") if x}

    def kill(self):
        self.p.kill()
        self.p.wait()

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
        self.f.close()


def wait_for(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_mixed_clients_split_partitions_and_rebalance_on_kill(broker, tmp_path):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"events": (6, 1)})["events"][0] == 0
    members = [Member(client, broker.bootstrap, "events", "g1", tmp_path / f"m{i}.out")
               for i, client in enumerate(["confluent", "kafka-python", "confluent"])]
    try:
        def split_evenly(ms):
            a = [m.assignment() for m in ms]
            if any(x is None or len(x) != 6 // len(ms) for x in a):
                return False
            union = set().union(*a)
            return union == set(range(6)) and sum(len(x) for x in a) == 6
        wait_for(lambda: split_evenly(members), 90, "3 members with 2 partitions each")
        members[0].kill()
        t0 = time.time()
        wait_for(lambda: split_evenly(members[1:]), 60, "the 2 survivors to own all 6 partitions")
        print(f"rebalance after kill -9 took {time.time() - t0:.1f}s (session.timeout.ms=6000)")
    finally:
        for m in members:
            m.stop()


def produce(bootstrap, topic, n):
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(n):
        p.produce(topic, value=f"v{i}".encode(), partition=0)
    assert p.flush(30) == 0


def consume_and_commit(bootstrap, topic, group, n):
    """Reads n records of partition 0 with a group subscription, commits, returns their offsets."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000})
    c.subscribe([topic])
    got = []
    deadline = time.time() + 60
    while len(got) < n and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        got.append(m.offset())
        if len(got) == n:
            c.commit(message=m, asynchronous=False)
    c.close()
    return got


@pytest.mark.asan
@pytest.mark.parametrize("how", ["sigterm", "kill"])
def test_committed_offsets_survive_broker_restart(broker, how):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"resume": (1, 1)})["resume"][0] == 0
    produce(broker.bootstrap, "resume", 100)
    assert consume_and_commit(broker.bootstrap, "resume", "g-resume", 40) == list(range(40))
    if how == "sigterm":
        assert broker.stop() == 0
    else:
        broker.kill()
    broker.start()
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "g-resume"})
    deadline = time.time() + 60
    committed = None
    while time.time() < deadline:
        try:
            committed = c.committed([TopicPartition("resume", 0)], timeout=5)[0].offset
            if committed >= 0:
                break
        except Exception:
            pass  # COORDINATOR_LOAD_IN_PROGRESS / NOT_COORDINATOR while the broker loads: retry
        time.sleep(0.2)
    c.close()
    assert committed == 40
    assert consume_and_commit(broker.bootstrap, "resume", "g-resume", 60) == list(range(40, 100))
    assert broker.sanitizer_report() is None
