"""The broker's znodes are Kafka's: paths, ephemeral registration, exact JSON payloads, chroot."""
import json
import re

import pytest
from confluent_kafka.admin import AdminClient
from harness.wire import KafkaConnection
from kazoo.client import KazooClient

from kafka_raw import create_topics


@pytest.fixture
def zk_client(zk):
    c = KazooClient(hosts=zk.connect)
    c.start(timeout=15)
    yield c
    c.stop()
    c.close()


def read_json(zkc, path):
    data, stat = zkc.get(path)
    return json.loads(data.decode()), stat


def test_registration_cluster_id_and_controller(broker_factory, zk_client):
    b = broker_factory(1)
    reg, stat = read_json(zk_client, "/brokers/ids/1")
    assert stat.ephemeralOwner != 0, "registration must be ephemeral"
    assert reg["version"] == 5
    assert reg["endpoints"] == [f"PLAINTEXT://127.0.0.1:{b.port}"]
    assert reg["listener_security_protocol_map"] == {"PLAINTEXT": "PLAINTEXT"}
    assert reg["host"] == "127.0.0.1" and reg["port"] == b.port
    assert reg["jmx_port"] == -1 and reg["features"] == {}
    assert isinstance(reg["timestamp"], str) and reg["timestamp"].isdigit()

    cluster, _ = read_json(zk_client, "/cluster/id")
    assert cluster["version"] == "1" and re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster["id"])
    md = AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(timeout=10)
    assert md.cluster_id == cluster["id"] and md.controller_id == 1

    controller, cstat = read_json(zk_client, "/controller")
    assert controller["brokerid"] == 1 and cstat.ephemeralOwner != 0
    assert zk_client.get("/controller_epoch")[0] == b"1"
    for path in ("/brokers/topics", "/config/topics", "/admin/delete_topics", "/isr_change_notification",
                 "/latest_producer_id_block", "/brokers/seqid", "/config/changes", "/consumers"):
        assert zk_client.exists(path), path


def test_topic_znodes(broker_factory, zk_client):
    b = broker_factory(1)
    with KafkaConnection.to(b.bootstrap) as c:
        errors = create_topics(c, {"orders": (3, 1)}, configs={"orders": {"retention.ms": "3600000"}})
        assert errors["orders"][0] == 0
    assignment, _ = read_json(zk_client, "/brokers/topics/orders")
    assert assignment["version"] == 3
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", assignment["topic_id"])
    assert assignment["partitions"] == {"0": [1], "1": [1], "2": [1]}
    assert assignment["adding_replicas"] == {} and assignment["removing_replicas"] == {}
    for p in range(3):
        state, _ = read_json(zk_client, f"/brokers/topics/orders/partitions/{p}/state")
        assert state == {"controller_epoch": 1, "leader": 1, "version": 1, "leader_epoch": 0, "isr": [1]}
    config, _ = read_json(zk_client, "/config/topics/orders")
    assert config == {"version": 1, "config": {"retention.ms": "3600000"}}


def test_restart_bumps_leader_epoch(broker_factory, zk_client):
    b = broker_factory(1)
    with KafkaConnection.to(b.bootstrap) as c:
        assert create_topics(c, {"epochs": (1, 1)})["epochs"][0] == 0
    b.kill()
    b.start()
    state, _ = read_json(zk_client, "/brokers/topics/epochs/partitions/0/state")
    assert state["leader"] == 1 and state["leader_epoch"] == 1


def test_sigterm_removes_registration_at_once(broker_factory, zk_client):
    b = broker_factory(1)
    assert zk_client.exists("/brokers/ids/1")
    assert b.stop() == 0
    assert not zk_client.exists("/brokers/ids/1")
    assert not zk_client.exists("/controller")


def test_chroot(broker_factory, zk_client):
    b = broker_factory(2, zk_chroot="/kafka/dev")
    assert zk_client.exists("/kafka/dev/brokers/ids/2")
    assert not zk_client.exists("/brokers/ids/2")
    with KafkaConnection.to(b.bootstrap) as c:
        assert create_topics(c, {"in-chroot": (1, 1)})["in-chroot"][0] == 0
    assert zk_client.exists("/kafka/dev/brokers/topics/in-chroot")
