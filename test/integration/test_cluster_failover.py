"""Three real brokers on one ZooKeeper: leader and controller failover under acks=all load, catch-up after
restart, divergent-tail truncation, a paused (zombie) leader, controlled shutdown, preferred leaders."""
import subprocess
import time

import pytest

from harness.segments import read_batches
from harness.wait import wait_until
from cluster_util import (SESSION_TIMEOUT_MS, LoadProducer, check_exactly_once_in_order, consume_all,
                          controller_epoch, controller_id, create_topic, gregor_cli, leaders, partition_state,
                          start_cluster, wait_full_isr)

PARTITIONS = 6


def victim_leader(zk, topic, not_broker=None):
    """A broker leading some partition of topic (not not_broker), and the partitions it leads."""
    owned = {}
    for p, leader in leaders(zk, topic, PARTITIONS).items():
        owned.setdefault(leader, []).append(p)
    for broker, parts in sorted(owned.items()):
        if broker != not_broker:
            return broker, parts
    raise AssertionError(f"no leader other than {not_broker}: {owned}")


def wait_leaders_moved(zk, topic, parts, dead, timeout):
    def moved():
        states = [partition_state(zk, topic, p) for p in parts]
        return all(s and s["leader"] not in (dead, -1) and dead not in s["isr"] for s in states)
    wait_until(moved, timeout, f"leadership of {topic} {parts} moved away from broker {dead}")


def run_gregor_produce(bootstrap, topic, partition):
    """`gregor produce` reading lines from a pipe, so that a test can feed records before and after a kill."""
    return subprocess.Popen([str(gregor_cli()), "produce", topic, "--brokers", bootstrap, "-p", str(partition),
                             "--acks", "all"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.asan
@pytest.mark.parametrize("victim", ["leader", "controller"])
def test_kill_leader_under_acks_all_load_loses_nothing(cluster, tmp_path, victim):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "orders", PARTITIONS)
    wait_full_isr(zk, "orders", PARTITIONS)
    epoch_before = controller_epoch(zk)
    load = LoadProducer(cluster.bootstrap, "orders", PARTITIONS, tmp_path / "acked.jsonl")
    try:
        load.wait_acked(600)
        ctl = controller_id(zk)
        if victim == "controller":
            dead = ctl
            parts = [p for p, l in leaders(zk, "orders", PARTITIONS).items() if l == dead]
        else:
            dead, parts = victim_leader(zk, "orders", not_broker=ctl)
        acked_at_kill = len(load.acked())
        killed_at = time.monotonic()
        cluster.brokers[dead].kill()
        if parts:
            wait_leaders_moved(zk, "orders", parts, dead, SESSION_TIMEOUT_MS / 1000 + 10)
        if victim == "controller":
            wait_until(lambda: controller_id(zk) not in (None, dead), SESSION_TIMEOUT_MS / 1000 + 10,
                       "a new controller")
            assert controller_epoch(zk) > epoch_before
        failover_s = time.monotonic() - killed_at
        load.wait_acked(acked_at_kill + 1500, timeout=90)
    finally:
        load.stop()
    survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != dead)
    consumed = consume_all(survivors, "orders", PARTITIONS)
    acked = load.acked()
    check_exactly_once_in_order(acked, consumed)
    print(f"victim={victim} broker={dead} partitions={parts} failover={failover_s:.2f}s acked={len(acked)} "
          f"failed={len(load.failed())}")


def test_our_client_carries_on_across_a_leader_kill(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "ours", 1)
    wait_full_isr(zk, "ours", 1)
    dead = partition_state(zk, "ours", 0)["leader"]
    values = [str(i) for i in range(30000)]
    proc = run_gregor_produce(cluster.bootstrap, "ours", 0)
    # Kill the leader while the producer is mid-way: half the records are fed (some already in the log), the
    # other half only after the kill, so they must go to the new leader.
    proc.stdin.write("".join(f"{v}\n" for v in values[:15000]))
    proc.stdin.flush()
    wait_until(lambda: any(b.record_count for b in read_batches_of(cluster.brokers[dead], "ours")), 30,
               "first records written")
    cluster.brokers[dead].kill()
    proc.stdin.write("".join(f"{v}\n" for v in values[15000:]))
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"gregor produce failed across the failover:\n{out}"
    wait_leaders_moved(zk, "ours", [0], dead, SESSION_TIMEOUT_MS / 1000 + 10)
    survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != dead)
    consumed = consume_all(survivors, "ours", 1)
    got = [v for _, v in consumed[0]]
    assert got == values, f"expected {len(values)} records once in order, got {len(got)} " \
                          f"(first difference at {next((i for i, (a, b) in enumerate(zip(got, values)) if a != b), None)})"


def read_batches_of(broker, topic, partition=0):
    d = broker.partition_dir(topic, partition)
    out = []
    for seg in sorted(d.glob("*.log")) if d.exists() else []:
        out += read_batches(seg)
    return out


def log_bytes_up_to(broker, topic, partition, end_offset):
    """The partition's segment bytes of every batch whose last offset < end_offset, concatenated."""
    d = broker.partition_dir(topic, partition)
    data = b""
    for seg in sorted(d.glob("*.log")):
        raw = seg.read_bytes()
        pos = 0
        while pos + 12 <= len(raw):
            base = int.from_bytes(raw[pos:pos + 8], "big")
            length = int.from_bytes(raw[pos + 8:pos + 12], "big", signed=True)
            if length <= 0 or pos + 12 + length > len(raw):
                break
            last_delta = int.from_bytes(raw[pos + 23:pos + 27], "big")
            if base + last_delta >= end_offset:
                return data
            data += raw[pos:pos + 12 + length]
            pos += 12 + length
    return data


def high_watermark(bootstrap, topic, partition):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "hw-probe"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)[1]
    finally:
        c.close()


@pytest.mark.asan
def test_restarted_broker_catches_up_to_identical_log(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "catchup", 1)
    wait_full_isr(zk, "catchup", 1)
    leader = partition_state(zk, "catchup", 0)["leader"]
    follower = next(i for i in cluster.brokers if i != leader)
    cluster.brokers[follower].kill()
    wait_until(lambda: follower not in partition_state(zk, "catchup", 0)["isr"], 30,
               f"broker {follower} dropped from the ISR")
    load = LoadProducer(cluster.bootstrap, "catchup", 1, tmp_path / "acked.jsonl", rate=3000)
    try:
        load.wait_acked(3000)
    finally:
        load.stop()
    cluster.brokers[follower].start()
    wait_until(lambda: follower in partition_state(zk, "catchup", 0)["isr"], 60,
               f"broker {follower} back in the ISR")
    hw = high_watermark(cluster.bootstrap, "catchup", 0)
    assert hw >= 3000
    wait_until(lambda: log_bytes_up_to(cluster.brokers[follower], "catchup", 0, hw) ==
               log_bytes_up_to(cluster.brokers[leader], "catchup", 0, hw), 30,
               "follower's batches byte-identical to the leader's up to the high watermark")


def test_former_leader_truncates_its_divergent_tail(cluster, tmp_path):
    # min.insync.replicas=1 and acks=1 let the isolated leader take writes nobody else has.
    start_cluster(cluster, extra={"min.insync.replicas": "1"})
    zk = cluster.zk
    create_topic(cluster.bootstrap, "diverge", 1)
    wait_full_isr(zk, "diverge", 1)
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all", "enable.idempotence": False})
    for i in range(100):
        p.produce("diverge", value=f"common-{i}".encode(), partition=0)
    assert p.flush(30) == 0
    old_leader = partition_state(zk, "diverge", 0)["leader"]
    b = cluster.brokers[old_leader]
    # Stop the followers fetching: pause them, let the leader take acks=1 writes, then kill the leader
    # before they can replicate anything, and resume the followers.
    others = [i for i in cluster.brokers if i != old_leader]
    for i in others:
        cluster.brokers[i].pause()
    lone = Producer({"bootstrap.servers": b.bootstrap, "acks": 1, "enable.idempotence": False,
                     "message.timeout.ms": 5000})
    # A follower's fetch may be parked on the leader when it was paused: the next write answers it (Kafka
    # may even answer it a little later, with more), and the response waits in the paused follower's socket,
    # so the first divergent batches may legitimately be replicated. Paused followers send no further fetch,
    # so later batches exist on the old leader only: write them one flushed batch at a time.
    lone.produce("diverge", value=b"marker", partition=0)
    lone.flush(10)
    for i in range(50):
        lone.produce("diverge", value=f"divergent-{i}".encode(), partition=0)
        if i % 10 == 9:
            lone.flush(10)
    wait_until(lambda: sum(x.record_count for x in read_batches_of(b, "diverge")) >= 151, 10,
               "divergent records in the leader's log")
    b.kill()
    for i in others:
        cluster.brokers[i].resume()
    wait_leaders_moved(zk, "diverge", [0], old_leader, SESSION_TIMEOUT_MS / 1000 + 20)
    after = Producer({"bootstrap.servers": ",".join(cluster.brokers[i].bootstrap for i in others), "acks": "all"})
    for i in range(20):
        after.produce("diverge", value=f"after-{i}".encode(), partition=0)
    assert after.flush(30) == 0
    b.start()
    wait_until(lambda: old_leader in partition_state(zk, "diverge", 0)["isr"], 60, "old leader back in the ISR")
    consumed = consume_all(cluster.bootstrap, "diverge", 1)
    values = [v for _, v in consumed[0]]
    marker = ["marker"] if "marker" in values else []
    replicated = [v for v in values if v.startswith("divergent-")]
    assert len(replicated) < 50, "no divergent tail was left to truncate"
    assert replicated == [f"divergent-{i}" for i in range(len(replicated))]
    assert values == [f"common-{i}" for i in range(100)] + marker + replicated + [f"after-{i}" for i in range(20)]
    hw = high_watermark(cluster.bootstrap, "diverge", 0)
    new_leader = partition_state(zk, "diverge", 0)["leader"]
    wait_until(lambda: log_bytes_up_to(b, "diverge", 0, hw) ==
               log_bytes_up_to(cluster.brokers[new_leader], "diverge", 0, hw), 30,
               "former leader's log equals the new leader's after truncation")


def test_paused_leader_acknowledges_nothing_after_losing_leadership(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "zombie", 1)
    wait_full_isr(zk, "zombie", 1)
    leader = partition_state(zk, "zombie", 0)["leader"]
    b = cluster.brokers[leader]
    from confluent_kafka import Producer
    # A producer bound to the paused broker only (its bootstrap), acks=all, no retries elsewhere.
    acks = []
    prod = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "enable.idempotence": False,
                     "message.timeout.ms": 60000, "request.timeout.ms": 20000, "retries": 0})
    prod.produce("zombie", value=b"before", partition=0)
    assert prod.flush(30) == 0
    b.pause()
    wait_leaders_moved(zk, "zombie", [0], leader, SESSION_TIMEOUT_MS / 1000 + 20)
    moved_epoch = partition_state(zk, "zombie", 0)["leader_epoch"]
    # Writes queued to the zombie while it is paused reach it when it resumes.
    for i in range(20):
        prod.produce("zombie", value=f"z{i}".encode(), partition=0,
                     on_delivery=lambda err, msg: acks.append((err, msg.offset())))
    prod.poll(0.5)
    b.resume()
    prod.flush(70)
    ok = [o for err, o in acks if err is None]
    consumed = consume_all(",".join(x.bootstrap for i, x in cluster.brokers.items() if i != leader), "zombie", 1)
    values = [v for _, v in consumed[0]]
    # Whatever the zombie acknowledged must be in the new leader's log (at-least-once on the wire is fine,
    # acknowledgements from a fenced leader are not).
    for o in ok:
        assert o < len(values), f"zombie acknowledged offset {o} that the new leader does not have"
    assert partition_state(zk, "zombie", 0)["leader_epoch"] >= moved_epoch
    wait_until(lambda: leader in partition_state(zk, "zombie", 0)["isr"], 60, "resumed broker back in the ISR")


def test_controlled_shutdown_moves_leadership_without_errors(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "calm", PARTITIONS)
    wait_full_isr(zk, "calm", PARTITIONS)
    load = LoadProducer(cluster.bootstrap, "calm", PARTITIONS, tmp_path / "acked.jsonl")
    try:
        load.wait_acked(600)
        victim, parts = victim_leader(zk, "calm", not_broker=controller_id(zk))
        t0 = time.monotonic()
        rc = cluster.brokers[victim].stop()
        stop_s = time.monotonic() - t0
        # The JVM reports SIGTERM as 143 even after Kafka's clean shutdown; gregor exits 0.
        assert rc == (143 if cluster.brokers[victim].kind == "kafka" else 0), cluster.brokers[victim].log_tail()
        # Moved before the broker went away: no waiting for a session timeout.
        for p in parts:
            s = partition_state(zk, "calm", p)
            assert s["leader"] != victim and victim not in s["isr"], s
        acked_now = len(load.acked())
        load.wait_acked(acked_now + 1000, timeout=60)
    finally:
        load.stop()
    assert not load.failed(), f"producer saw errors: {load.failed()[:5]}"
    survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != victim)
    check_exactly_once_in_order(load.acked(), consume_all(survivors, "calm", PARTITIONS))
    print(f"controlled shutdown of broker {victim} took {stop_s:.2f}s")


def test_preferred_leaders_return_after_restart(cluster, tmp_path):
    start_cluster(cluster, extra={"auto.leader.rebalance.enable": "true",
                                  "leader.imbalance.check.interval.seconds": "2"})
    zk = cluster.zk
    create_topic(cluster.bootstrap, "pref", PARTITIONS)
    states = wait_full_isr(zk, "pref", PARTITIONS)
    preferred = {p: zk.read_json("/brokers/topics/pref")["partitions"][str(p)][0] for p in range(PARTITIONS)}
    assert all(states[p]["leader"] == preferred[p] for p in range(PARTITIONS))
    victim = preferred[0]
    cluster.brokers[victim].kill()
    wait_leaders_moved(zk, "pref", [p for p in range(PARTITIONS) if preferred[p] == victim], victim,
                       SESSION_TIMEOUT_MS / 1000 + 10)
    cluster.brokers[victim].start()
    wait_until(lambda: all(partition_state(zk, "pref", p)["leader"] == preferred[p] for p in range(PARTITIONS)),
               60, "preferred leaders back")
