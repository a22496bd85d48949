"""The controller with three real brokers: partition state znodes, leader failover, controller failover,
offline partitions, controlled shutdown, topic deletion and partition addition (ZooKeeper state first,
then what each broker's Metadata answers)."""
import json
import time

import pytest
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic
from harness.wait import wait_until
from harness.wire import KafkaConnection

SESSION_TIMEOUT_S = 6.0
PROPS = {
    "zookeeper.session.timeout.ms": "6000",
    "auto.leader.rebalance.enable": "false",
    "controlled.shutdown.retry.backoff.ms": "500",
    "unclean.leader.election.enable": "false",
}


def read(zkc, path):
    if not zkc.exists(path):
        return None
    data, _ = zkc.get(path)
    return json.loads(data) if data else None


def state(zkc, topic, p):
    return read(zkc, f"/brokers/topics/{topic}/partitions/{p}/state")


def controller(zkc):
    c = read(zkc, "/controller")
    return c["brokerid"] if c else None


def controller_epoch(zkc) -> int:
    return int(zkc.get("/controller_epoch")[0])


def three_brokers(cluster, extra=None):
    props = dict(PROPS)
    props.update(extra or {})
    brokers = cluster.add_brokers([1, 2, 3], props)
    zkc = cluster.zk.client()
    wait_until(lambda: len(zkc.get_children("/brokers/ids")) == 3, 30, "three registered brokers")
    # Every broker has heard of the other two from the controller (UpdateMetadata).
    for b in brokers:
        wait_until(lambda b=b: broker_ids(b.bootstrap) == {1, 2, 3}, 30, f"broker {b.broker_id} sees 3 brokers")
    return brokers, zkc


def metadata(bootstrap):
    """Metadata v1 (all topics) from exactly this broker (no client-side routing or caching)."""
    with KafkaConnection.to(bootstrap) as c:
        return c.metadata()


def broker_ids(bootstrap):
    return {b.node_id for b in metadata(bootstrap).brokers}


def create(bootstrap, topic, partitions, rf):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, partitions, rf)], request_timeout=30)[topic].result(timeout=60)


def leader_in_metadata(bootstrap, topic, p):
    t = metadata(bootstrap).topic(topic)
    part = next((x for x in t.partitions if x.partition == p), None) if t else None
    return part.leader if part else None


def test_rf3_topic_gets_state_znodes_with_full_isr(cluster):
    brokers, zkc = three_brokers(cluster)
    create(cluster.bootstrap, "orders", 3, 3)
    assignment = read(zkc, "/brokers/topics/orders")["partitions"]
    epoch = controller_epoch(zkc)
    for p in range(3):
        replicas = assignment[str(p)]
        assert sorted(replicas) == [1, 2, 3]
        s = wait_until(lambda p=p: state(zkc, "orders", p), 10, f"state znode of orders-{p}")
        # NewPartition -> OnlinePartition: first live replica leads, every live replica is in the ISR.
        assert s == {"controller_epoch": epoch, "leader": replicas[0], "version": 1, "leader_epoch": 0,
                     "isr": replicas}
    # Each broker answers Metadata with the controller's view.
    for b in brokers:
        for p in range(3):
            wait_until(lambda b=b, p=p: leader_in_metadata(b.bootstrap, "orders", p) == assignment[str(p)][0], 20,
                       f"broker {b.broker_id} knows the leader of orders-{p}")
    assert metadata(brokers[0].bootstrap).controller_id == controller(zkc)


def test_rf_larger_than_live_brokers_is_refused(cluster):
    three_brokers(cluster)
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    with pytest.raises(Exception) as e:
        admin.create_topics([NewTopic("too-many", 1, 4)], request_timeout=30)["too-many"].result(timeout=30)
    assert "Replication factor: 4 larger than available brokers: 3." in str(e.value)


def test_killed_leader_is_replaced_from_the_isr_within_session_timeout(cluster):
    brokers, zkc = three_brokers(cluster)
    create(cluster.bootstrap, "failover", 3, 3)
    ctl = controller(zkc)
    states = {p: wait_until(lambda p=p: state(zkc, "failover", p), 10, "state") for p in range(3)}
    # A partition led by a broker that is not the controller, so only the leader changes.
    p, old = next((p, s) for p, s in states.items() if s["leader"] != ctl)
    victim = cluster.brokers[old["leader"]]
    victim.kill()
    killed_at = time.monotonic()
    new = wait_until(lambda: (s := state(zkc, "failover", p)) and s["leader"] not in (old["leader"], -1) and s,
                     SESSION_TIMEOUT_S + 5, "a new leader of the killed broker's partition")
    elapsed = time.monotonic() - killed_at
    assert elapsed <= SESSION_TIMEOUT_S + 1.0, f"new leader after {elapsed:.1f} s"
    assert new["leader"] in old["isr"]
    assert new["leader_epoch"] == old["leader_epoch"] + 1
    assert sorted(new["isr"]) == sorted(b for b in old["isr"] if b != old["leader"])
    # Every partition lost the dead broker from its ISR.
    for q in range(3):
        wait_until(lambda q=q: victim.broker_id not in state(zkc, "failover", q)["isr"], 10, "ISR shrunk")
    for b in brokers:
        if b is victim:
            continue
        wait_until(lambda b=b: leader_in_metadata(b.bootstrap, "failover", p) == new["leader"], 10,
                   f"broker {b.broker_id} learns the new leader")
        wait_until(lambda b=b: victim.broker_id not in broker_ids(b.bootstrap), 10, "dead broker gone")


def test_killed_controller_moves_with_epoch_bump(cluster):
    brokers, zkc = three_brokers(cluster)
    old = controller(zkc)
    epoch = controller_epoch(zkc)
    cluster.brokers[old].kill()
    new = wait_until(lambda: (c := controller(zkc)) is not None and c != old and c, SESSION_TIMEOUT_S + 5,
                     "a new controller")
    assert controller_epoch(zkc) == epoch + 1
    for b in brokers:
        if b.broker_id == old:
            continue
        wait_until(lambda b=b: metadata(b.bootstrap).controller_id == new, 10, "brokers learn the new controller")
    # The new controller works: it creates a topic and elects its leaders.
    create(cluster.bootstrap, "after-move", 2, 2)
    for p in range(2):
        s = wait_until(lambda p=p: state(zkc, "after-move", p), 10, "state")
        assert s["controller_epoch"] == epoch + 1 and s["leader"] != old


def test_partition_whose_whole_isr_is_gone_stays_offline(cluster):
    brokers, zkc = three_brokers(cluster)
    create(cluster.bootstrap, "lonely", 1, 1)
    [owner] = read(zkc, "/brokers/topics/lonely")["partitions"]["0"]
    wait_until(lambda: state(zkc, "lonely", 0), 10, "state")
    lone = cluster.brokers[owner]
    lone.kill()  # may be the controller too: then the next controller finds the partition offline
    s = wait_until(lambda: (s := state(zkc, "lonely", 0)) and s["leader"] == -1 and s, SESSION_TIMEOUT_S + 5,
                   "partition offline")
    assert s["isr"] == [owner] and s["leader_epoch"] == 1
    other = next(b for b in brokers if b is not lone)
    wait_until(lambda: leader_in_metadata(other.bootstrap, "lonely", 0) == -1, 10, "Metadata shows no leader")
    # The ISR member comes back: it is elected again (leader epoch bumped once more).
    lone.start()
    s = wait_until(lambda: (s := state(zkc, "lonely", 0)) and s["leader"] == owner and s, 30, "back online")
    assert s["leader_epoch"] == 2


def test_controlled_shutdown_moves_leadership_first(cluster):
    brokers, zkc = three_brokers(cluster)
    create(cluster.bootstrap, "moving", 3, 3)
    states = {p: wait_until(lambda p=p: state(zkc, "moving", p), 10, "state") for p in range(3)}
    ctl = controller(zkc)
    leaving = next(b for b in brokers if b.broker_id != ctl)
    led = [p for p, s in states.items() if s["leader"] == leaving.broker_id]
    assert led, "the assignment spreads leaders over all brokers"
    assert leaving.stop() == 0
    for p in led:
        s = state(zkc, "moving", p)
        # Moved by the controller before the broker went away: the new leader comes from the old ISR.
        assert s["leader"] not in (leaving.broker_id, -1) and s["leader_epoch"] == states[p]["leader_epoch"] + 1
    text = cluster.brokers[ctl].output_path.read_text()
    assert f"controlled shutdown of broker {leaving.broker_id}" in text
    assert "controlled shutdown succeeded" in leaving.output_path.read_text()


def test_delete_topic_and_add_partitions(cluster):
    brokers, zkc = three_brokers(cluster)
    create(cluster.bootstrap, "doomed", 2, 2)
    create(cluster.bootstrap, "growing", 1, 2)
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    admin.delete_topics(["doomed"], request_timeout=30)["doomed"].result(timeout=60)
    wait_until(lambda: not zkc.exists("/brokers/topics/doomed"), 20, "topic znodes removed")
    assert not zkc.exists("/admin/delete_topics/doomed") and not zkc.exists("/config/topics/doomed")
    for b in brokers:
        wait_until(lambda b=b: metadata(b.bootstrap).topic("doomed") is None, 10, "topic gone from Metadata")
    admin.create_partitions([NewPartitions("growing", 3)], request_timeout=30)["growing"].result(timeout=60)
    assignment = read(zkc, "/brokers/topics/growing")["partitions"]
    assert sorted(assignment) == ["0", "1", "2"]
    for p in (1, 2):
        s = wait_until(lambda p=p: state(zkc, "growing", p), 10, "new partition state")
        assert s["leader"] == assignment[str(p)][0] and s["leader_epoch"] == 0
