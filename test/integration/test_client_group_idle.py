"""Idle `gregor consume --group` members (no records at all) still take part in rebalances at once: a second
member joining, a third joining and one leaving (SIGTERM -> LeaveGroup) each end Stable with an even split
within session timeout + a few seconds, on a three-broker cluster."""
import time

from harness.wait import wait_until
from cluster_util import create_topic, gregor_cli, start_cluster, wait_full_isr
from test_cli_groups import Proc, stable_split

PARTITIONS = 6
SESSION_TIMEOUT_S = 10  # gregor consume --group's session.timeout.ms
SETTLE_S = SESSION_TIMEOUT_S + 8


def member(cluster, tmp_path, name):
    return Proc([gregor_cli(), "--brokers", cluster.bootstrap, "consume", "idle", "--group", "g-idle",
                 "-F", "{partition} {offset}"], tmp_path / f"{name}.out")


def wait_split(cluster, n_members, timeout, procs):
    def split():
        for p in procs:
            assert p.p.poll() is None, f"a member exited:\n{p.text()}"
        s = stable_split(cluster.bootstrap, "g-idle", n_members, "idle", PARTITIONS)
        if s and all(len(parts) == PARTITIONS // n_members for _, parts in s.values()):
            return s
        return None
    start = time.monotonic()
    wait_until(split, timeout, f"g-idle Stable with {n_members} members of {PARTITIONS // n_members} partitions",
               interval=0.3)
    return time.monotonic() - start


def test_idle_members_rebalance_quickly(cluster, tmp_path):
    start_cluster(cluster)
    create_topic(cluster.bootstrap, "idle", PARTITIONS)
    wait_full_isr(cluster.zk, "idle", PARTITIONS)
    a = member(cluster, tmp_path, "a")
    started = [a]
    try:
        wait_split(cluster, 1, 60, started)
        b = member(cluster, tmp_path, "b")
        started.append(b)
        t_b = wait_split(cluster, 2, SETTLE_S, started)
        c = member(cluster, tmp_path, "c")
        started.append(c)
        t_c = wait_split(cluster, 3, SETTLE_S, started)
        assert b.stop() == 0, b.text()
        started.remove(b)
        t_leave = wait_split(cluster, 2, SETTLE_S, started)
        print(f"idle group: second member {t_b:.1f}s, third {t_c:.1f}s, leave {t_leave:.1f}s to Stable")
    finally:
        rcs = [p.stop() for p in started]
    assert rcs == [0] * len(rcs), rcs
