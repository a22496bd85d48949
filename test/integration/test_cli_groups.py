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
    """The group is Stable with n_members and every partition owned exactly once, else None."""
    d = describe_json(bs, group, "--members")
    if d["state"] != "Stable" or len(d["members"]) != n_members:
        return None
    owned = [(a["topic"], a["partition"]) for m in d["members"] for a in m["assignment"]]
    if sorted(owned) != [(topic, p) for p in range(n_partitions)]:
        return None
    return {m["client_id"]: sorted(a["partition"] for a in m["assignment"]) for m in d["members"]}


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
