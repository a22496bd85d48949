"""Replication between real brokers: follower logs byte-identical to the leader's, acks=all waiting for the
ISR, NOT_ENOUGH_REPLICAS below min.insync.replicas, ISR shrink/expand on a paused follower, and a returning
former leader truncating its divergent tail (OffsetForLeaderEpoch)."""
import struct
import time
from pathlib import Path

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from harness.wait import wait_until
from cluster_util import SESSION_TIMEOUT_MS, create_topic, partition_state

PROPS = {
    "zookeeper.session.timeout.ms": str(SESSION_TIMEOUT_MS),
    "auto.leader.rebalance.enable": "false",
    "replica.fetch.backoff.ms": "200",
    "offsets.topic.replication.factor": "1",
}


def start(cluster, ids, **extra):
    props = dict(PROPS)
    props.update({k.replace("_", "."): str(v) for k, v in extra.items()})
    cluster.add_brokers(list(ids), props)
    wait_until(lambda: len(cluster.zk.client().get_children("/brokers/ids")) == len(ids), 30, "brokers registered")


def raw_batches(partition_dir: Path, below: int) -> list[bytes]:
    """Raw bytes of the whole batches whose last offset is below `below`, segment by segment."""
    out = []
    for seg in sorted(partition_dir.glob("*.log")):
        data = seg.read_bytes()
        pos = 0
        while pos + 61 <= len(data):
            base, length = struct.unpack_from(">qi", data, pos)
            if length <= 0 or pos + 12 + length > len(data):
                break
            last = base + struct.unpack_from(">i", data, pos + 23)[0]
            if last < below:
                out.append(data[pos:pos + 12 + length])
            pos += 12 + length
    return out


def high_watermark(bootstrap: str, topic: str, partition: int = 0) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "hw"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)[1]
    finally:
        c.close()


def produce(bootstrap: str, topic: str, values, acks="all", partition=0, flush=30, **conf):
    """Produces values; returns the delivery reports [(error or None, offset)] (fewer if flush timed out)."""
    reports = []
    p = Producer({"bootstrap.servers": bootstrap, "acks": acks, "linger.ms": 0, **conf})
    for v in values:
        p.produce(topic, value=str(v).encode(), partition=partition,
                  on_delivery=lambda err, msg: reports.append((err, msg.offset())))
    p.flush(flush)
    return reports


def wait_isr(zk, topic, isr, timeout=30, partition=0):
    return wait_until(lambda: (s := partition_state(zk, topic, partition)) and sorted(s["isr"]) == sorted(isr)
                      and s, timeout, f"{topic}-{partition} ISR {isr}")


def wait_replicas_equal(cluster, topic, ids, partition=0, timeout=30):
    """Waits until every replica holds byte-identical batches up to the leader's high watermark."""
    hw = high_watermark(cluster.bootstrap, topic, partition)

    def same():
        logs = {i: raw_batches(cluster.brokers[i].partition_dir(topic, partition), hw) for i in ids}
        first = logs[ids[0]]
        return first and all(v == first for v in logs.values()) and logs
    logs = wait_until(same, timeout, f"{topic}-{partition} identical on brokers {ids} below HW {hw}")
    return hw, logs


def test_follower_logs_equal_leader_and_acks_all_succeeds(cluster):
    start(cluster, [1, 2, 3])
    create_topic(cluster.bootstrap, "rep", 1, rf=3)
    wait_isr(cluster.zk, "rep", [1, 2, 3])
    reports = produce(cluster.bootstrap, "rep", range(200), acks="all")
    assert len(reports) == 200 and all(e is None for e, _ in reports), reports[:5]
    hw, logs = wait_replicas_equal(cluster, "rep", [1, 2, 3])
    assert hw == 200
    assert sum(len(b) for b in logs[1]) > 0
    # Every broker still in the ISR after the load.
    assert sorted(partition_state(cluster.zk, "rep", 0)["isr"]) == [1, 2, 3]


def test_acks_all_waits_for_follower(cluster):
    start(cluster, [1, 2], replica_lag_time_max_ms=20000)
    create_topic(cluster.bootstrap, "waits", 1, rf=2)
    state = wait_isr(cluster.zk, "waits", [1, 2])
    follower = cluster.brokers[[b for b in (1, 2) if b != state["leader"]][0]]
    leader = cluster.brokers[state["leader"]]
    assert produce(leader.bootstrap, "waits", ["warm"])[0][0] is None
    follower.pause()
    try:
        p = Producer({"bootstrap.servers": leader.bootstrap, "acks": "all", "linger.ms": 0})
        reports = []
        p.produce("waits", value=b"held", partition=0, on_delivery=lambda e, m: reports.append((e, m.offset())))
        p.flush(3)
        assert reports == [], "acks=all answered while the ISR follower was stopped"
    finally:
        follower.resume()
    p.flush(20)
    assert len(reports) == 1 and reports[0][0] is None, reports
    assert reports[0][1] == 1


def test_not_enough_replicas_with_one_broker_down(cluster):
    start(cluster, [1, 2])
    create_topic(cluster.bootstrap, "minisr", 1, rf=2, config={"min.insync.replicas": "2"})
    state = wait_isr(cluster.zk, "minisr", [1, 2])
    leader_id = state["leader"]
    other = [b for b in (1, 2) if b != leader_id][0]
    cluster.brokers[other].kill()
    # The controller drops the dead broker from the ISR once its session expires.
    wait_isr(cluster.zk, "minisr", [leader_id], timeout=SESSION_TIMEOUT_MS / 1000 + 15)
    bootstrap = cluster.brokers[leader_id].bootstrap

    def refused():
        r = produce(bootstrap, "minisr", ["x"], acks="all", retries=0, flush=10)
        return r and r[0][0] is not None and r[0][0].code() == KafkaError.NOT_ENOUGH_REPLICAS and r
    wait_until(refused, 20, "acks=all refused with NOT_ENOUGH_REPLICAS")
    # acks=1 still works; nothing from the refused attempts was written.
    r = produce(bootstrap, "minisr", ["y"], acks="1")
    assert r[0][0] is None and r[0][1] == 0, r


def test_isr_shrinks_on_paused_follower_and_expands_after(cluster):
    start(cluster, [1, 2], replica_lag_time_max_ms=2000)
    create_topic(cluster.bootstrap, "shrink", 1, rf=2)
    state = wait_isr(cluster.zk, "shrink", [1, 2])
    leader = cluster.brokers[state["leader"]]
    follower_id = [b for b in (1, 2) if b != state["leader"]][0]
    follower = cluster.brokers[follower_id]
    follower.pause()
    try:
        # The leader moves on without the follower: it falls behind and, after replica.lag.time.max.ms, out.
        produce(leader.bootstrap, "shrink", range(10), acks="1")
        shrunk = wait_isr(cluster.zk, "shrink", [state["leader"]], timeout=15)
        assert shrunk["leader_epoch"] == state["leader_epoch"]  # ISR changes never bump the leader epoch
        assert "ISR shrank" in leader.log_tail(20000)
        # acks=all with the leader alone in the ISR (min.insync.replicas=1) goes through.
        r = produce(leader.bootstrap, "shrink", ["alone"], acks="all")
        assert r[0][0] is None, r
    finally:
        follower.resume()
    wait_isr(cluster.zk, "shrink", [1, 2], timeout=20)
    wait_replicas_equal(cluster, "shrink", [1, 2])
    # The change was propagated to the controller through /isr_change_notification (then deleted by it).
    assert "ISR expanded" in leader.log_tail(20000)


def test_returning_former_leader_truncates_divergent_tail(cluster):
    start(cluster, [1, 2, 3], replica_lag_time_max_ms=30000, replica_fetch_wait_max_ms=200)
    create_topic(cluster.bootstrap, "diverge", 1, rf=3)
    state = wait_isr(cluster.zk, "diverge", [1, 2, 3])
    old_id = state["leader"]
    old = cluster.brokers[old_id]
    others = [b for b in (1, 2, 3) if b != old_id]
    r = produce(cluster.bootstrap, "diverge", range(20), acks="all")
    assert all(e is None for e, _ in r)
    wait_replicas_equal(cluster, "diverge", [1, 2, 3])
    # Followers stopped: acks=1 writes land on the old leader only, then it dies before they replicate.
    for b in others:
        cluster.brokers[b].pause()
    # A follower long-poll parked on the leader would carry the next records into the stopped follower's socket
    # buffer; past replica.fetch.wait.max.ms (200 ms) the parked fetches have been answered (empty) and the
    # stopped followers cannot ask again.
    time.sleep(1.0)
    try:
        r = produce(old.bootstrap, "diverge", [f"lost-{i}" for i in range(5)], acks="1")
        assert all(e is None for e, _ in r), r
    finally:
        old.kill()
        for b in others:
            cluster.brokers[b].resume()
    new_state = wait_until(lambda: (s := partition_state(cluster.zk, "diverge", 0)) and s["leader"] in others and s,
                           SESSION_TIMEOUT_MS / 1000 + 20, "a new leader among the followers")
    assert new_state["leader_epoch"] > state["leader_epoch"]
    survivors = ",".join(cluster.brokers[b].bootstrap for b in others)
    r = produce(survivors, "diverge", [f"new-{i}" for i in range(7)], acks="all")
    assert all(e is None for e, _ in r), r
    old.start()
    wait_isr(cluster.zk, "diverge", [1, 2, 3], timeout=40)
    hw, logs = wait_replicas_equal(cluster, "diverge", [1, 2, 3])
    assert hw == 27
    assert "truncating to 20" in old.log_tail(50000)
