"""`gregor topics|cluster` against a real broker: topic lifecycle, tables, JSON, failures, help."""
import json
import time

import pytest

from test_cli_support import gregor


def test_topic_lifecycle(module_broker):
    bs = module_broker.bootstrap
    r = gregor(bs, "topics", "create", "life", "-p", "3", "-c", "retention.ms=123456")
    assert r.stdout.strip() == "Created topic life."

    listing = gregor(bs, "topics", "list").stdout.splitlines()
    assert listing[0].split() == ["NAME", "PARTITIONS", "REPLICAS"]
    assert ["life", "3", "1"] in [line.split() for line in listing[1:]]

    desc = gregor(bs, "topics", "describe", "life").stdout.splitlines()
    assert desc[0].split("\t") == ["Topic: life", "PartitionCount: 3", "ReplicationFactor: 1",
                                   "Configs: retention.ms=123456"]
    parts = [line.split("\t") for line in desc[1:]]
    assert [p[2] for p in parts] == ["Partition: 0", "Partition: 1", "Partition: 2"]
    broker_id = str(module_broker.broker_id)
    for p in parts:
        assert p[0] == "" and p[1] == "Topic: life"
        assert p[3:] == [f"Leader: {broker_id}", f"Replicas: {broker_id}", f"Isr: {broker_id}"]

    gregor(bs, "topics", "add-partitions", "life", "-p", "5")
    j = json.loads(gregor(bs, "--format", "json", "topics", "describe", "life").stdout)
    assert j[0]["name"] == "life" and j[0]["partition_count"] == 5
    assert [p["partition"] for p in j[0]["partitions"]] == [0, 1, 2, 3, 4]
    assert all(p["leader"] == module_broker.broker_id for p in j[0]["partitions"])

    assert gregor(bs, "topics", "delete", "life").stdout.strip() == "Deleted topic life."
    deadline = time.monotonic() + 30
    while True:
        names = [t["name"] for t in json.loads(gregor(bs, "topics", "list", "--format", "json").stdout)]
        if "life" not in names:
            break
        assert time.monotonic() < deadline, "deleted topic still listed after 30 s"
        time.sleep(0.2)


def test_alter_config(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "conf", "-p", "1", "-c", "retention.ms=123456")
    r = gregor(bs, "topics", "alter-config", "conf", "--set", "retention.ms=654321", "--set",
               "cleanup.policy=compact", check=False)
    if r.returncode != 0 and "UNSUPPORTED_VERSION" in r.stderr:
        pytest.skip("broker serves neither IncrementalAlterConfigs nor AlterConfigs: " + r.stderr.strip())
    assert r.returncode == 0, r.stderr
    configs = json.loads(gregor(bs, "topics", "describe", "conf", "--format", "json").stdout)[0]["configs"]
    assert configs["retention.ms"] == "654321"
    assert configs["cleanup.policy"] == "compact"
    gregor(bs, "topics", "alter-config", "conf", "--delete", "cleanup.policy")
    configs = json.loads(gregor(bs, "topics", "describe", "conf", "--format", "json").stdout)[0]["configs"]
    assert "cleanup.policy" not in configs and configs["retention.ms"] == "654321"


def test_failures_exit_non_zero_with_one_line(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "twice", "-p", "1")
    r = gregor(bs, "topics", "create", "twice", "-p", "1", check=False)
    assert r.returncode != 0
    assert r.stderr.count("\n") == 1 and "TOPIC_ALREADY_EXISTS" in r.stderr
    assert gregor(bs, "topics", "create", "twice", "--if-not-exists").returncode == 0

    r = gregor(bs, "topics", "describe", "no-such-topic", check=False)
    assert r.returncode != 0 and "UNKNOWN_TOPIC_OR_PARTITION" in r.stderr and r.stderr.count("\n") == 1

    r = gregor(bs, "topics", "delete", "no-such-topic", check=False)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
    assert gregor(bs, "topics", "delete", "no-such-topic", "--if-exists").returncode == 0

    r = gregor(bs, "topics", "add-partitions", "twice", "-p", "1", check=False)  # cannot shrink
    assert r.returncode != 0 and "INVALID_PARTITIONS" in r.stderr


def test_unreachable_broker_fails_fast():
    from harness.ports import free_port
    start = time.monotonic()
    r = gregor(f"127.0.0.1:{free_port()}", "--timeout-ms", "2000", "cluster", "info", check=False)
    assert r.returncode != 0
    assert r.stderr.startswith("gregor: ") and r.stderr.count("\n") == 1
    assert time.monotonic() - start < 15


def test_cluster_info_table_and_json(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "info-topic", "-p", "2", "--if-not-exists")
    out = gregor(bs, "cluster", "info").stdout
    sections = out.split("\n\n")
    assert sections[0].splitlines()[:2] == ["CLUSTER", "======="]
    cluster_id = sections[0].splitlines()[2]
    brokers = sections[1].splitlines()
    assert brokers[:3] == ["BROKERS", "=======", "ID  HOST       PORT"] or brokers[2].split() == ["ID", "HOST", "PORT"]
    assert brokers[3].split() == [f"{module_broker.broker_id}*", "127.0.0.1", str(module_broker.port)]
    assert ["info-topic", "2", "1"] in [line.split() for line in sections[2].splitlines()[3:]]

    j = json.loads(gregor(bs, "cluster", "info", "--format", "json").stdout)
    assert j["cluster_id"] == cluster_id and len(cluster_id) == 22
    assert j["controller_id"] == module_broker.broker_id
    assert j["brokers"] == [{"id": module_broker.broker_id, "host": "127.0.0.1", "port": module_broker.port,
                             "controller": True}]


def test_brokers_from_environment(module_broker):
    r = gregor(None, "cluster", "info", "--format", "json", env={"GREGOR_BROKERS": module_broker.bootstrap})
    assert json.loads(r.stdout)["controller_id"] == module_broker.broker_id


@pytest.mark.parametrize("level", [[], ["topics"], ["topics", "create"], ["produce"], ["consume"],
                                   ["cluster", "info"], ["perf"], ["perf", "produce"], ["perf", "consume"],
                                   ["dump-log"]])
def test_help_on_every_level(level):
    r = gregor(None, *level, "--help")
    assert r.returncode == 0 and "Usage" in r.stdout or "usage" in r.stdout.lower()
