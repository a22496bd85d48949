"""Our producer pipelines up to 5 batches per partition with idempotence (1 without), and a leader kill -9
of a 6-partition RF3 topic mid-stream still leaves every record exactly once, in order per partition."""
import json
import subprocess

from harness.wait import wait_until
from cluster_util import (SESSION_TIMEOUT_MS, consume_all, create_topic, gregor_cli, leaders, start_cluster,
                          wait_full_isr)

PARTITIONS = 6


def produce_cmd(bootstrap, topic, *extra):
    return [str(gregor_cli()), "--brokers", bootstrap, "produce", topic, "--stats", *extra]


def stats_of(stderr: str) -> dict:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("{")]
    assert lines, f"no --stats line in stderr:\n{stderr}"
    return json.loads(lines[-1])


def values_in_order(consumed: dict[int, list[tuple]], expected: int) -> None:
    """Every value 0..expected-1 exactly once overall, increasing within each partition."""
    seen = []
    for p, records in consumed.items():
        vals = [int(v) for _, v in records]
        assert vals == sorted(vals), f"partition {p} out of order: {vals[:20]}..."
        seen += vals
    assert len(seen) == len(set(seen)), f"{len(seen) - len(set(seen))} duplicated records"
    assert sorted(seen) == list(range(expected)), \
        f"got {len(set(seen))} distinct of {expected} (missing e.g. {sorted(set(range(expected)) - set(seen))[:5]})"


def log_bytes(broker, topic, partitions) -> int:
    total = 0
    for p in partitions:
        d = broker.partition_dir(topic, p)
        if d.exists():
            total += sum(f.stat().st_size for f in d.glob("*.log"))
    return total


def test_batches_of_a_partition_are_pipelined_and_max_in_flight_1_serialises(cluster, tmp_path):
    start_cluster(cluster, ids=(1,), extra={"default.replication.factor": "1", "min.insync.replicas": "1",
                                            "offsets.topic.replication.factor": "1"})
    create_topic(cluster.bootstrap, "pipe", 1, rf=1)
    create_topic(cluster.bootstrap, "serial", 1, rf=1)
    n = 40000
    lines = "".join(f"{i}\n" for i in range(n))
    # Small batches and no linger: many batches of one partition are ready at once.
    r = subprocess.run(produce_cmd(cluster.bootstrap, "pipe", "-p", "0", "--batch-size", "1024",
                                   "--linger-ms", "0"), input=lines, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    stats = stats_of(r.stderr)
    assert stats["delivered"] == n and stats["failed"] == 0
    assert 1 < stats["max_batches_in_flight_per_partition"] <= 5, stats
    values_in_order(consume_all(cluster.bootstrap, "pipe", 1), n)

    r = subprocess.run(produce_cmd(cluster.bootstrap, "serial", "-p", "0", "--batch-size", "1024",
                                   "--linger-ms", "0", "--no-idempotence", "--max-in-flight", "1"),
                       input=lines, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    stats = stats_of(r.stderr)
    assert stats["delivered"] == n
    assert stats["max_batches_in_flight_per_partition"] == 1, stats
    values_in_order(consume_all(cluster.bootstrap, "serial", 1), n)

    # Without idempotence Java's default of 5 in flight applies too (a retry may then reorder, as in Java).
    create_topic(cluster.bootstrap, "plain", 1, rf=1)
    r = subprocess.run(produce_cmd(cluster.bootstrap, "plain", "-p", "0", "--batch-size", "1024",
                                   "--linger-ms", "0", "--no-idempotence"),
                       input=lines, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    stats = stats_of(r.stderr)
    assert stats["delivered"] == n and 1 < stats["max_batches_in_flight_per_partition"] <= 5, stats


def test_pipelined_batches_survive_a_leader_kill_exactly_once_in_order(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "kill6", PARTITIONS)
    wait_full_isr(zk, "kill6", PARTITIONS)
    by_leader = {}
    for p, leader in leaders(zk, "kill6", PARTITIONS).items():
        by_leader.setdefault(leader, []).append(p)
    dead, parts = max(by_leader.items(), key=lambda kv: len(kv[1]))
    n_before, n_after = 40000, 40000
    proc = subprocess.Popen(produce_cmd(cluster.bootstrap, "kill6", "--batch-size", "2048", "--linger-ms", "2"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("".join(f"{i}\n" for i in range(n_before)))
        proc.stdin.flush()
        # The victim leads some partitions: kill it once it holds records of them, with more to come.
        wait_until(lambda: log_bytes(cluster.brokers[dead], "kill6", parts) > 0, 60, "records on the victim")
        cluster.brokers[dead].kill()
        proc.stdin.write("".join(f"{i}\n" for i in range(n_before, n_before + n_after)))
        proc.stdin.close()
        proc.stdin = None  # communicate() must not flush it again
        _, err = proc.communicate(timeout=SESSION_TIMEOUT_MS / 1000 + 120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, f"gregor produce failed across the leader kill:\n{err}"
    stats = stats_of(err)
    assert stats["delivered"] == n_before + n_after and stats["failed"] == 0, stats
    assert stats["max_batches_in_flight_per_partition"] > 1, stats
    survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != dead)
    values_in_order(consume_all(survivors, "kill6", PARTITIONS), n_before + n_after)
