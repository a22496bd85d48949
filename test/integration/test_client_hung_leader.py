"""A hung partition leader (SIGSTOP: its sockets stay open and never answer, like a stopped container):
`gregor consume`, `gregor consume --group` and `gregor produce` time out their requests, refresh metadata
and carry on with the new leader once the controller moved leadership (never exit, lose or duplicate)."""
import subprocess
import time

from confluent_kafka import Producer

from harness.wait import wait_until
from cluster_util import (SESSION_TIMEOUT_MS, consume_all, create_topic, gregor_cli, partition_state,
                          start_cluster, wait_full_isr)
from test_cli_groups import Proc

REQUEST_TIMEOUT_MS = 10000
RECOVERY_S = SESSION_TIMEOUT_MS / 1000 + 2 * REQUEST_TIMEOUT_MS / 1000 + 60


def produce_values(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    for v in values:
        p.produce(topic, str(v).encode(), partition=0)
    assert p.flush(60) == 0, "confluent producer did not deliver"


def printed_values(proc: Proc) -> list[int]:
    return [int(ln) for ln in proc.text().splitlines() if ln.strip().isdigit()]


def wait_leader_moved(zk, topic, dead):
    def moved():
        s = partition_state(zk, topic, 0)
        return s and s["leader"] not in (dead, -1)
    wait_until(moved, SESSION_TIMEOUT_MS / 1000 + 20, f"leadership of {topic} away from hung broker {dead}")


def test_consumers_carry_on_when_the_leader_hangs(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "hung", 1)
    wait_full_isr(zk, "hung", 1)
    victim = partition_state(zk, "hung", 0)["leader"]
    base = [str(gregor_cli()), "--brokers", cluster.bootstrap, "--timeout-ms", str(REQUEST_TIMEOUT_MS)]
    plain = Proc(base + ["consume", "hung", "-b", "-F", "{value}"], tmp_path / "plain.out")
    group = Proc(base + ["consume", "hung", "--group", "g-hung", "-b", "-F", "{value}"], tmp_path / "group.out")
    try:
        produce_values(cluster.bootstrap, "hung", range(100))
        for p in (plain, group):
            wait_until(lambda: len(set(printed_values(p))) >= 100, 90, f"first records printed:\n{p.text()}")
        cluster.brokers[victim].pause()
        try:
            wait_leader_moved(zk, "hung", victim)
            survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != victim)
            produce_values(survivors, "hung", range(100, 200))
            for name, p in (("plain", plain), ("group", group)):
                wait_until(lambda: set(printed_values(p)) >= set(range(200)) or p.p.poll() is not None,
                           RECOVERY_S, f"{name} consumer reads from the new leader")
                assert p.p.poll() is None, f"{name} consumer exited:\n{p.text()}"
                assert set(printed_values(p)) >= set(range(200)), f"{name} consumer stuck:\n{p.text()[-3000:]}"
        finally:
            cluster.brokers[victim].resume()
        assert printed_values(plain) == list(range(200)), "the plain consumer printed records twice or out of order"
    finally:
        rcs = {name: p.stop() for name, p in (("plain", plain), ("group", group))}
    assert rcs == {"plain": 0, "group": 0}, f"consumers exited {rcs}:\n{plain.text()[-2000:]}\n{group.text()[-2000:]}"


def test_producer_resends_to_the_new_leader_when_the_leader_hangs(cluster, tmp_path):
    start_cluster(cluster)
    zk = cluster.zk
    create_topic(cluster.bootstrap, "hungp", 1)
    wait_full_isr(zk, "hungp", 1)
    victim = partition_state(zk, "hungp", 0)["leader"]
    n = 20000
    proc = subprocess.Popen([str(gregor_cli()), "--brokers", cluster.bootstrap, "--timeout-ms",
                             str(REQUEST_TIMEOUT_MS), "produce", "hungp", "-p", "0", "--stats"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("".join(f"{i}\n" for i in range(n)))
        proc.stdin.flush()
        broker = cluster.brokers[victim]
        log_dir = broker.partition_dir("hungp", 0)
        wait_until(lambda: sum(f.stat().st_size for f in log_dir.glob("*.log")) > 0, 60, "records on the leader")
        broker.pause()
        paused_at = time.monotonic()
        try:
            proc.stdin.write("".join(f"{i}\n" for i in range(n, 2 * n)))
            proc.stdin.close()
            proc.stdin = None  # communicate() must not flush it again
            wait_leader_moved(zk, "hungp", victim)
            _, err = proc.communicate(timeout=RECOVERY_S + 60)
            took = time.monotonic() - paused_at
        finally:
            broker.resume()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, f"gregor produce failed with a hung leader:\n{err}"
    survivors = ",".join(b.bootstrap for i, b in cluster.brokers.items() if i != victim)
    got = [int(v) for _, v in consume_all(survivors, "hungp", 1)[0]]
    assert got == list(range(2 * n)), f"expected {2 * n} records once in order, got {len(got)}"
    print(f"hung leader {victim}: producer finished {took:.1f}s after the pause")
