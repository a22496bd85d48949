"""`gregor groups ...` and `gregor consume --group` against a real broker, with members from our CLI,
confluent-kafka, kafka-python and Java's KafkaConsumer in the same groups.

Runs against gregor (./dev test) and, with COMPAT_TARGET=kafka, against Apache Kafka 3.9 to show the
expectations are Kafka's.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness.paths import JAVA_JAR
from test_cli_support import gregor, gregor_binary

GROUP_TIMEOUT = 90  # joins wait for rebalances of several clients on a shared 2-core machine

MEMBER_SCRIPT = textwrap.dedent('''
    """A group member: reads, commits the first COMMIT records one by one, then stays without committing."""
    import sys, time
    lib, bootstrap, topic, group, client_id, commit = sys.argv[1:7]
    commit = int(commit)
    done = 0
    if lib == "confluent":
        from confluent_kafka import Consumer
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": client_id,
                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe([topic], on_assign=lambda cons, ps: print("ASSIGNED", flush=True))
        try:
            while True:
                m = c.poll(0.2)
                if m is not None and not m.error() and done < commit:
                    c.commit(message=m, asynchronous=False)
                    done += 1
                    if done == commit:
                        print("COMMITTED", flush=True)
        finally:
            c.close()
    else:
        from kafka import KafkaConsumer, TopicPartition
        from kafka.structs import OffsetAndMetadata
        c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                          session_timeout_ms=6000, heartbeat_interval_ms=500, auto_offset_reset="earliest",
                          enable_auto_commit=False)
        try:
            while True:
                for tp, records in c.poll(timeout_ms=200).items():
                    for r in records:
                        if done < commit:
                            c.commit({tp: OffsetAndMetadata(r.offset + 1, "", -1)})
                            done += 1
                            if done == commit:
                                print("COMMITTED", flush=True)
        finally:
            c.close()
''')

JAVA_MEMBER = textwrap.dedent('''
    import java.time.Duration;
    import java.util.List;
    import java.util.Properties;
    import org.apache.kafka.clients.consumer.KafkaConsumer;
    import org.apache.kafka.common.serialization.ByteArrayDeserializer;

    /** A Java group member that polls until killed: GroupMember <bootstrap> <topic> <group> <client id>. */
    public class GroupMember {
      public static void main(String[] a) {
        Properties p = new Properties();
        p.put("bootstrap.servers", a[0]);
        p.put("group.id", a[2]);
        p.put("client.id", a[3]);
        p.put("session.timeout.ms", "6000");
        p.put("heartbeat.interval.ms", "500");
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
          c.subscribe(List.of(a[1]));
          while (true) {
            c.poll(Duration.ofMillis(200));
            System.out.println("ASSIGNMENT " + c.assignment());
          }
        }
      }
    }
''')


class Proc:
    """A background process whose stdout goes to a file we poll (never a fixed sleep)."""

    def __init__(self, argv, out: Path, env=None):
        self.out = out
        self.f = open(out, "w")
        self.p = subprocess.Popen([str(a) for a in argv], stdout=self.f, stderr=subprocess.STDOUT,
                                  env={**os.environ, **(env or {})})

    def text(self) -> str:
        return self.out.read_text()

    def stop(self, sig=signal.SIGTERM, timeout=20) -> int:
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.f.close()
        return self.p.returncode


@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:
        p.stop(signal.SIGKILL)


def wait_for(cond, timeout, what, on_fail=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{on_fail()}")
        time.sleep(0.2)


def table(stdout: str) -> list[list[str]]:
    """Rows of a kafka-consumer-groups table (blank and message lines dropped), header first."""
    lines = [ln for ln in stdout.splitlines() if ln.strip() and not ln.startswith("Consumer group")]
    return [ln.split() for ln in lines]


def describe_json(bs, group, *flags):
    return json.loads(gregor(bs, "--format", "json", "groups", "describe", group, *flags).stdout)


def create_topic(bs, name, partitions):
    gregor(bs, "topics", "create", name, "-p", str(partitions))


def produce(bs, topic, partition, n, prefix="v"):
    lines = "".join(f"{prefix}{i}\n" for i in range(n))
    gregor(bs, "produce", topic, "-p", str(partition), input=lines)


def member_assignments(bs, group) -> dict[str, list[tuple[str, int]]]:
    """client id -> sorted partitions, from `groups describe --members` JSON."""
    d = describe_json(bs, group, "--members")
    return {m["client_id"]: sorted((a["topic"], a["partition"]) for a in m["assignment"]) for m in d["members"]}


def stable_split(bs, group, n_members, topic, n_partitions):
    """The group is Stable with n_members and every partition owned exactly once, else None.
    Returns member id -> (client id, sorted partitions)."""
    r = gregor(bs, "--format", "json", "groups", "describe", group, "--members", check=False)
    if r.returncode != 0:  # not created yet
        assert "does not exist" in r.stderr, r.stderr
        return None
    d = json.loads(r.stdout)
    if d["state"] != "Stable" or len(d["members"]) != n_members:
        return None
    owned = [(a["topic"], a["partition"]) for m in d["members"] for a in m["assignment"]]
    if sorted(owned) != [(topic, p) for p in range(n_partitions)]:
        return None
    return {m["consumer_id"]: (m["client_id"], sorted(a["partition"] for a in m["assignment"]))
            for m in d["members"]}


def py_member(procs, tmp_path, lib, bs, topic, group, client_id, commit=0):
    script = tmp_path / "member.py"
    script.write_text(MEMBER_SCRIPT)
    p = Proc([sys.executable, script, lib, bs, topic, group, client_id, commit], tmp_path / f"{client_id}.out")
    procs.append(p)
    return p


def gregor_member(procs, tmp_path, bs, topic, group, name, *extra):
    p = Proc([gregor_binary(), "--brokers", bs, "consume", topic, "--group", group, "-b",
              "-F", "{partition} {offset}", *extra], tmp_path / f"{name}.out")
    procs.append(p)
    return p


def test_list_and_describe_show_lag_of_a_live_group(module_broker, procs, tmp_path):
    bs = module_broker.bootstrap
    create_topic(bs, "lagged", 2)
    produce(bs, "lagged", 0, 12)
    produce(bs, "lagged", 1, 8)
    m = py_member(procs, tmp_path, "confluent", bs, "lagged", "g-lag", "lagger", commit=7)
    wait_for(lambda: "COMMITTED" in m.text(), GROUP_TIMEOUT, "7 commits", m.text)

    assert "g-lag" in gregor(bs, "groups", "list").stdout.splitlines()
    listed = json.loads(gregor(bs, "--format", "json", "groups", "list").stdout)
    assert {"group": "g-lag", "protocol_type": "consumer"}.items() <= \
        next(g for g in listed if g["group"] == "g-lag").items()

    rows = table(gregor(bs, "groups", "describe", "g-lag").stdout)
    assert rows[0] == ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID",
                       "HOST", "CLIENT-ID"]
    body = rows[1:]
    assert [(r[1], r[2]) for r in body] == [("lagged", "0"), ("lagged", "1")]
    assert [int(r[4]) for r in body] == [12, 8]
    current = [int(r[3]) if r[3] != "-" else 0 for r in body]
    assert sum(current) == 7
    assert sum(int(r[4]) - c for r, c in zip(body, current)) == 13
    for r, c in zip(body, current):
        if r[3] != "-":
            assert int(r[5]) == int(r[4]) - c
        assert r[8] == "lagger" and r[6].startswith("lagger") and r[7] != "-"

    j = describe_json(bs, "g-lag")
    assert j["state"] == "Stable"
    assert sum(o["lag"] if o["lag"] is not None else o["log_end_offset"] for o in j["offsets"]) == 13

    members = table(gregor(bs, "groups", "describe", "g-lag", "--members", "--verbose").stdout)
    assert members[0] == ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"]
    assert members[1][0] == "g-lag" and members[1][3] == "lagger" and members[1][4] == "2"
    assert members[1][5] == "lagged(0,1)"

    state = gregor(bs, "groups", "describe", "g-lag", "--state").stdout.splitlines()
    state = [ln for ln in state if ln.strip()]
    assert state[0].split() == ["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]
    cells = state[1].split()
    assert cells[0] == "g-lag" and cells[1].endswith(f":{module_broker.port}")
    assert cells[2] == f"({module_broker.broker_id})" and cells[3:] == ["range", "Stable", "1"]

    # After the member leaves, the offsets stay, owned by no one.
    m.stop()
    wait_for(lambda: describe_json(bs, "g-lag", "--state")["state"] == "Empty", GROUP_TIMEOUT, "an empty group")
    out = gregor(bs, "groups", "describe", "g-lag").stdout
    assert "Consumer group 'g-lag' has no active members." in out
    assert all(r[6:] == ["-", "-", "-"] for r in table(out)[1:])


def test_describe_unknown_group_fails_with_one_line(module_broker):
    r = gregor(module_broker.bootstrap, "groups", "describe", "no-such-group", check=False)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
    assert "does not exist" in r.stderr


def watch_lines(p: Proc) -> list[str]:
    return [ln for ln in p.text().splitlines() if " group=" in ln]


def test_watch_prints_join_and_leave(module_broker, procs, tmp_path):
    bs = module_broker.bootstrap
    create_topic(bs, "watched", 4)
    watch = Proc([gregor_binary(), "--brokers", bs, "groups", "watch", "g-watch", "--interval-ms", "100",
                  "--timeout-ms", "180000"], tmp_path / "watch.out")
    procs.append(watch)
    first = gregor_member(procs, tmp_path, bs, "watched", "g-watch", "first")

    def stable_with(n):
        return lambda: [ln for ln in watch_lines(watch) if "state=Stable" in ln and f" members={n} " in ln]
    wait_for(stable_with(1), GROUP_TIMEOUT, "a Stable line with 1 member", watch.text)
    assert "assignment={" in stable_with(1)()[-1] and "watched(0,1,2,3)" in stable_with(1)()[-1]
    before = len(watch_lines(watch))

    second = py_member(procs, tmp_path, "kafka-python", bs, "watched", "g-watch", "second")
    wait_for(lambda: [ln for ln in watch_lines(watch)[before:] if "state=Stable" in ln and " members=2 " in ln],
             GROUP_TIMEOUT, "a Stable line with 2 members", watch.text)
    joined = [ln for ln in watch_lines(watch)[before:] if "joined=[second" in ln]
    assert joined, watch.text()
    two = [ln for ln in watch_lines(watch)[before:] if "state=Stable" in ln and " members=2 " in ln][-1]
    assert "watched(0,1)" in two and "watched(2,3)" in two

    # Each line is one transition: consecutive lines always differ.
    lines = watch_lines(watch)
    assert all(a.split(" ", 1)[1] != b.split(" ", 1)[1] for a, b in zip(lines, lines[1:]))

    before = len(watch_lines(watch))
    second.stop()  # kafka-python's close() sends LeaveGroup
    wait_for(lambda: [ln for ln in watch_lines(watch)[before:] if "left=[second" in ln], GROUP_TIMEOUT,
             "a line with the second member leaving", watch.text)
    wait_for(lambda: [ln for ln in watch_lines(watch)[before:] if "state=Stable" in ln and " members=1 " in ln
                      and "watched(0,1,2,3)" in ln], GROUP_TIMEOUT, "the first member owning everything again",
             watch.text)
    rebalances = [int(ln.split("rebalances=")[1].split()[0]) for ln in watch_lines(watch)]
    assert rebalances == sorted(rebalances) and rebalances[-1] >= 2
    first.stop()
    assert watch.stop(signal.SIGINT) == 0


def test_watch_carries_on_while_the_broker_is_away(broker, procs, tmp_path):
    """A watch is a monitor: a broker that stops answering is reported on stderr, not the end of the watch."""
    if os.environ.get("COMPAT_TARGET") == "kafka":
        pytest.skip("restarts the test's own broker process; the behaviour under test is the CLI's")
    bs = broker.bootstrap
    create_topic(bs, "away", 2)
    watch = Proc([gregor_binary(), "--brokers", bs, "--timeout-ms", "2000", "groups", "watch", "g-away",
                  "--interval-ms", "100", "--timeout-ms", "180000"], tmp_path / "watch.out")
    procs.append(watch)
    wait_for(lambda: [ln for ln in watch_lines(watch) if "state=Dead" in ln], GROUP_TIMEOUT,
             "the watch's first line (no group yet)", watch.text)
    broker.stop()
    wait_for(lambda: "describe failed, retrying" in watch.text(), 60, "the watch to report the broker away",
             watch.text)
    assert watch.p.poll() is None, watch.text()
    broker.start()
    gregor_member(procs, tmp_path, bs, "away", "g-away", "member")
    wait_for(lambda: [ln for ln in watch_lines(watch) if "state=Stable" in ln and " members=1 " in ln],
             GROUP_TIMEOUT, "a Stable line once the broker is back", watch.text)
    assert watch.stop(signal.SIGINT) == 0


def test_watch_stops_after_max_events_in_json(module_broker, tmp_path):
    bs = module_broker.bootstrap
    r = gregor(bs, "--format", "json", "groups", "watch", "never-used", "--max-events", "1", "--timeout-ms", "60000")
    event = json.loads(r.stdout.strip())
    assert event["group"] == "never-used" and event["state"] == "Dead" and event["members"] == 0


def committed_by_partition(bs, group) -> dict[int, int]:
    return {o["partition"]: o["current_offset"] for o in describe_json(bs, group)["offsets"]}


def test_reset_offsets_dry_run_execute_and_refusal(module_broker, procs, tmp_path):
    bs = module_broker.bootstrap
    create_topic(bs, "resets", 2)
    produce(bs, "resets", 0, 10)
    produce(bs, "resets", 1, 10)
    # Our consumer: reads 12 records as a group member, commits them, leaves.
    out = gregor(bs, "consume", "resets", "--group", "g-reset", "-b", "-c", "12", "-F", "{partition} {offset}").stdout
    assert len(out.splitlines()) == 12
    committed = committed_by_partition(bs, "g-reset")
    assert sum(committed.values()) == 12

    r = gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets", "--to-earliest")
    rows = table(r.stdout)
    assert rows[0] == ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]
    assert [row[1:] for row in rows[1:]] == [["resets", "0", "0"], ["resets", "1", "0"]]
    assert committed_by_partition(bs, "g-reset") == committed  # dry run: nothing moved

    gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets", "--to-earliest", "--execute")
    assert committed_by_partition(bs, "g-reset") == {0: 0, 1: 0}
    gregor(bs, "groups", "reset-offsets", "g-reset", "--all-topics", "--shift-by", "4", "--execute")
    assert committed_by_partition(bs, "g-reset") == {0: 4, 1: 4}
    gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets:1", "--to-offset", "1000", "--execute")
    assert committed_by_partition(bs, "g-reset") == {0: 4, 1: 10}  # clamped to the log end
    gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets", "--to-latest", "--execute")
    assert committed_by_partition(bs, "g-reset") == {0: 10, 1: 10}
    j = json.loads(gregor(bs, "--format", "json", "groups", "reset-offsets", "g-reset", "--all-topics",
                          "--to-datetime", "2000-01-01T00:00:00Z").stdout)
    assert j["executed"] is False and [o["new_offset"] for o in j["offsets"]] == [0, 0]

    # The group resumes where the reset put it.
    gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets:0", "--to-offset", "7", "--execute")
    out = gregor(bs, "consume", "resets", "--group", "g-reset", "-c", "3", "-F", "{partition} {offset}").stdout
    assert sorted(out.splitlines()) == ["0 7", "0 8", "0 9"]

    # Refused while the group has members.
    m = py_member(procs, tmp_path, "confluent", bs, "resets", "g-reset", "busy")
    wait_for(lambda: stable_split(bs, "g-reset", 1, "resets", 2), GROUP_TIMEOUT, "a live member",
             m.text)
    before = committed_by_partition(bs, "g-reset")
    r = gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets", "--to-earliest", "--execute",
               check=False)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
    assert "inactive" in r.stderr and "Stable" in r.stderr
    assert committed_by_partition(bs, "g-reset") == before

    r = gregor(bs, "groups", "reset-offsets", "g-reset", "--topic", "resets", check=False)
    assert r.returncode != 0 and "--to-earliest" in r.stderr


def test_delete_groups(module_broker, procs, tmp_path):
    bs = module_broker.bootstrap
    create_topic(bs, "deletes", 1)
    produce(bs, "deletes", 0, 3)
    gregor(bs, "consume", "deletes", "--group", "g-del", "-b", "-c", "3")
    assert "g-del" in gregor(bs, "groups", "list").stdout.splitlines()
    r = gregor(bs, "groups", "delete", "g-del")
    assert r.stdout.strip() == "Deletion of requested consumer groups ('g-del') was successful."
    assert "g-del" not in gregor(bs, "groups", "list").stdout.splitlines()
    assert gregor(bs, "groups", "describe", "g-del", check=False).returncode != 0

    r = gregor(bs, "groups", "delete", "never-existed", check=False)
    assert r.returncode != 0 and "GROUP_ID_NOT_FOUND" in r.stderr and r.stderr.count("\n") == 1

    m = py_member(procs, tmp_path, "confluent", bs, "deletes", "g-busy", "busy")
    wait_for(lambda: stable_split(bs, "g-busy", 1, "deletes", 1), GROUP_TIMEOUT, "a live group", m.text)
    r = gregor(bs, "groups", "delete", "g-busy", check=False)
    assert r.returncode != 0 and "NON_EMPTY_GROUP" in r.stderr


def read_partitions(p: Proc) -> set[int]:
    return {int(ln.split()[0]) for ln in p.text().splitlines() if ln and ln[0].isdigit()}


@pytest.mark.parametrize("strategy", ["range", "roundrobin"])
def test_consume_group_split_and_rebalance_on_exit(module_broker, procs, tmp_path, strategy):
    bs = module_broker.bootstrap
    topic = f"split-{strategy}"
    create_topic(bs, topic, 4)
    a = gregor_member(procs, tmp_path, bs, topic, f"g-{strategy}", "a", "--assignment-strategy", strategy)
    b = gregor_member(procs, tmp_path, bs, topic, f"g-{strategy}", "b", "--assignment-strategy", strategy)
    split = wait_for(lambda: stable_split(bs, f"g-{strategy}", 2, topic, 4), GROUP_TIMEOUT,
                     "two members with two partitions each")
    owned = sorted(parts for _, parts in split.values())
    assert owned == ([[0, 1], [2, 3]] if strategy == "range" else [[0, 2], [1, 3]])
    assert describe_json(bs, f"g-{strategy}", "--state")["assignment_strategy"] == strategy

    for p in range(4):
        produce(bs, topic, p, 5, prefix=f"p{p}-")
    wait_for(lambda: len(read_partitions(a)) == 2 and len(read_partitions(b)) == 2, GROUP_TIMEOUT,
             "each member reading its own partitions", lambda: a.text() + b.text())
    assert read_partitions(a) | read_partitions(b) == {0, 1, 2, 3}
    assert not read_partitions(a) & read_partitions(b)

    assert b.stop() == 0  # SIGTERM: commits and leaves
    wait_for(lambda: stable_split(bs, f"g-{strategy}", 1, topic, 4), GROUP_TIMEOUT, "a takes all four partitions")
    for p in range(4):
        produce(bs, topic, p, 1, prefix="after-")
    # a reads only what b had not committed: nothing read twice, the new record of every partition.
    wait_for(lambda: sum(1 for ln in a.text().splitlines() if ln.endswith(" 5")) == 4, GROUP_TIMEOUT,
             "offset 5 of all partitions read by a", a.text)
    a_lines = [ln for ln in a.text().splitlines() if ln and ln[0].isdigit()]
    b_lines = [ln for ln in b.text().splitlines() if ln and ln[0].isdigit()]
    assert sorted(a_lines + b_lines) == sorted(f"{p} {o}" for p in range(4) for o in range(6))
    a.stop()
    offsets = describe_json(bs, f"g-{strategy}")["offsets"]
    assert all(o["current_offset"] == 6 and o["lag"] == 0 for o in offsets) and len(offsets) == 4


def java_member(procs, tmp_path, bs, topic, group, client_id):
    if not JAVA_JAR.exists():
        pytest.fail(f"{JAVA_JAR} missing: run test/compat/install.sh")
    src = tmp_path / "GroupMember.java"
    src.write_text(JAVA_MEMBER)
    p = Proc(["java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-cp", JAVA_JAR, src, bs, topic, group, client_id], tmp_path / f"{client_id}.out")
    procs.append(p)
    return p


def test_cpp_java_and_librdkafka_members_share_one_group(module_broker, procs, tmp_path):
    bs = module_broker.bootstrap
    create_topic(bs, "mixed", 6)
    members = [gregor_member(procs, tmp_path, bs, "mixed", "g-mixed", "ours"),
               java_member(procs, tmp_path, bs, "mixed", "g-mixed", "java-member"),
               py_member(procs, tmp_path, "confluent", bs, "mixed", "g-mixed", "rdkafka-member")]
    split = wait_for(lambda: stable_split(bs, "g-mixed", 3, "mixed", 6), GROUP_TIMEOUT * 2,
                     "3 members, every partition owned once", lambda: "\n".join(m.text()[-2000:] for m in members))
    assert sorted(len(parts) for _, parts in split.values()) == [2, 2, 2]
    by_client = {client: parts for client, parts in split.values()}
    assert set(by_client) == {"gregor-cli", "java-member", "rdkafka-member"}
    # The split holds for the data too: our member reads exactly its two partitions.
    for p in range(6):
        produce(bs, "mixed", p, 2)
    wait_for(lambda: read_partitions(members[0]) == set(by_client["gregor-cli"]), GROUP_TIMEOUT,
             "our member reading its partitions", members[0].text)
    # Java leaves (SIGTERM runs no close(): the session times out); the rest take over its partitions.
    members[1].stop(signal.SIGKILL)
    split = wait_for(lambda: stable_split(bs, "g-mixed", 2, "mixed", 6), GROUP_TIMEOUT * 2,
                     "2 members owning all 6 partitions")
    assert sorted(len(parts) for _, parts in split.values()) == [3, 3]


def test_member_survives_coordinator_restart(broker, procs, tmp_path):
    """The coordinator goes away and comes back: our member finds it again (network errors, then
    COORDINATOR_LOAD_IN_PROGRESS / NOT_COORDINATOR while it loads) and keeps consuming and committing."""
    bs = broker.bootstrap
    create_topic(bs, "restarts", 2)
    m = gregor_member(procs, tmp_path, bs, "restarts", "g-restart", "member")
    wait_for(lambda: stable_split(bs, "g-restart", 1, "restarts", 2), GROUP_TIMEOUT, "a Stable group")
    produce(bs, "restarts", 0, 3)
    wait_for(lambda: len([ln for ln in m.text().splitlines() if ln.startswith("0 ")]) == 3, GROUP_TIMEOUT,
             "3 records read", m.text)
    broker.stop()
    broker.start()
    produce(bs, "restarts", 1, 2)
    wait_for(lambda: len([ln for ln in m.text().splitlines() if ln.startswith("1 ")]) == 2, GROUP_TIMEOUT,
             "the records produced after the restart", m.text)
    member = wait_for(lambda: stable_split(bs, "g-restart", 1, "restarts", 2), GROUP_TIMEOUT, "a Stable group again")
    # Heartbeats resumed: the same member is still there after more than session.timeout.ms (10 s).
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        assert stable_split(bs, "g-restart", 1, "restarts", 2) == member
        time.sleep(0.5)
    assert m.stop() == 0, m.text()
    offsets = {o["partition"]: o["current_offset"] for o in describe_json(bs, "g-restart")["offsets"]}
    assert offsets == {0: 3, 1: 2}
    lines = [ln for ln in m.text().splitlines() if ln and ln[0].isdigit()]
    assert sorted(lines) == ["0 0", "0 1", "0 2", "1 0", "1 1"]  # nothing read twice
