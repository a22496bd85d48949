"""Consumer-group figures (./dev test --long; printed as GROUP-FIGURES lines): kill -9 of a member to Stable
again, rebalance time of a clean join into a 10-member group, offset commit throughput of one group.
Run with COMPAT_TARGET=kafka for Kafka 3.9's figures on the same machine."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, ConsumerGroupState, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness.wait import wait_until

pytestmark = pytest.mark.long
HERE = Path(__file__).resolve().parent
SESSION_TIMEOUT_MS = 6000  # group_member.py's session.timeout.ms


def describe(admin, group):
    return admin.describe_consumer_groups([group], request_timeout=10)[group].result()


def stable_with(admin, group, n):
    d = describe(admin, group)
    return d.state == ConsumerGroupState.STABLE and len(d.members) == n


def spawn(bootstrap, topic, group, out):
    return subprocess.Popen([sys.executable, str(HERE / "group_member.py"), "confluent", bootstrap, topic, group],
                            stdout=open(out, "w"), stderr=subprocess.STDOUT)


def watch_rebalance(admin, group, n, timeout):
    """Polls the group every 20 ms: (first time seen not Stable, time Stable with n members)."""
    left_stable = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = describe(admin, group)
        now = time.monotonic()
        if d.state != ConsumerGroupState.STABLE and left_stable is None:
            left_stable = now
        if d.state == ConsumerGroupState.STABLE and len(d.members) == n:
            return left_stable, now
        time.sleep(0.02)
    raise AssertionError(f"group {group} not Stable with {n} members within {timeout}s")


def test_group_figures(broker, tmp_path):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic("fig", 20, 1)])["fig"].result(30)
    procs = []
    try:
        # 9 members, then a clean join of the 10th.
        for i in range(9):
            procs.append(spawn(broker.bootstrap, "fig", "g10", tmp_path / f"m{i}.out"))
        wait_until(lambda: stable_with(admin, "g10", 9), 120, "9 stable members")
        t_spawn = time.monotonic()
        procs.append(spawn(broker.bootstrap, "fig", "g10", tmp_path / "m9.out"))
        began, stable = watch_rebalance(admin, "g10", 10, 120)
        join_s, rebalance_s = stable - t_spawn, stable - (began or stable)
        # kill -9 of one member: Stable again with 9 after the session timeout.
        victim = procs.pop()
        t_kill = time.monotonic()
        victim.kill()
        victim.wait()
        _, stable = watch_rebalance(admin, "g10", 9, SESSION_TIMEOUT_MS / 1000 + 60)
        kill_s = stable - t_kill
    finally:
        for p in procs:
            p.kill()
            p.wait()
    # Offset commits of one group: synchronous (one round trip each) and asynchronous (pipelined).
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "gc", "enable.auto.commit": False})
    try:
        c.assign([TopicPartition("fig", 0)])
        n, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < 5:
            c.commit(offsets=[TopicPartition("fig", 0, n)], asynchronous=False)
            n += 1
        sync_rate = n / (time.monotonic() - t0)
        done = []
        c2 = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "gc2", "enable.auto.commit": False,
                       "on_commit": lambda err, parts: done.append(err)})
        c2.assign([TopicPartition("fig", 0)])
        t0 = time.monotonic()
        for i in range(20000):
            c2.commit(offsets=[TopicPartition("fig", p, i) for p in range(20)], asynchronous=True)
            c2.poll(0)
        wait_until(lambda: (c2.poll(0.01), len(done) >= 20000)[1], 120, "20000 async commits acknowledged")
        async_rate = 20000 / (time.monotonic() - t0)
        assert not any(done), f"commit errors: {[e for e in done if e][:5]}"
        c2.close()
    finally:
        c.close()
    print(f"GROUP-FIGURES target={broker.kind} session.timeout.ms={SESSION_TIMEOUT_MS} "
          f"kill9_to_stable={kill_s:.2f}s join_10th_to_stable={join_s:.2f}s rebalance={rebalance_s:.2f}s "
          f"sync_commits_per_s={sync_rate:.0f} async_commits_per_s={async_rate:.0f} (20 partitions each)")
