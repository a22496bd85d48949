"""gregor's crash detection (broker/peer_crash_detector.h): a broker whose process died is unregistered within
moments by its peers, long before its ZooKeeper session (30 s here) would expire; a paused broker, or one with
detection turned off, is still left to its session; a live broker whose registration vanished registers again."""
import time

import pytest
from confluent_kafka import Producer
from harness.broker import broker_class
from harness.ports import free_port
from harness.wait import wait_until

from cluster_util import controller_id, create_topic, partition_state, start_cluster, wait_full_isr

pytestmark = [pytest.mark.skipif(broker_class().kind != "gregor", reason="gregor's own failure detection"),
              pytest.mark.asan]

LONG_SESSION_MS = 30000  # so that only the crash detector can explain a change within seconds
# Generous for a loaded 2-core machine and the ASan build, still far below the session timeout.
DETECTED_WITHIN_S = 8.0
PROPS = {
    "zookeeper.session.timeout.ms": str(LONG_SESSION_MS),
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "offsets.topic.replication.factor": "3",
    "auto.leader.rebalance.enable": "false",
    "unclean.leader.election.enable": "false",
}


def three(cluster, extra=None):
    start_cluster(cluster, extra={**PROPS, **(extra or {})})
    return list(cluster.brokers.values()), cluster.zk.client()


def registered(zkc) -> set[int]:
    return {int(c) for c in zkc.get_children("/brokers/ids")}


def acked_produce(bootstrap: str, topic: str, value: bytes, timeout: float) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.timeout.ms": int(timeout * 1000)})
    errors = []
    p.produce(topic, value, callback=lambda err, msg: errors.append(err))
    p.flush(timeout + 5)
    assert errors == [None], errors


def test_killed_leader_is_replaced_long_before_its_session_expires(cluster):
    brokers, zkc = three(cluster)
    create_topic(cluster.bootstrap, "crash", 3)
    states = wait_full_isr(cluster.zk, "crash", 3)
    acked_produce(cluster.bootstrap, "crash", b"before", 30)
    ctl = controller_id(cluster.zk)
    p, old = next((p, s) for p, s in states.items() if s["leader"] != ctl)
    victim = cluster.brokers[old["leader"]]
    victim.kill()
    killed_at = time.monotonic()
    wait_until(lambda: victim.broker_id not in registered(zkc), DETECTED_WITHIN_S, "the dead broker unregistered")
    new = wait_until(lambda: (s := partition_state(cluster.zk, "crash", p)) and s["leader"] not in (-1, old["leader"])
                     and s, DETECTED_WITHIN_S, "a new leader")
    elapsed = time.monotonic() - killed_at
    assert elapsed < LONG_SESSION_MS / 1000 / 3, f"new leader after {elapsed:.1f} s"
    assert new["leader"] in old["isr"] and new["leader_epoch"] == old["leader_epoch"] + 1
    assert victim.broker_id not in new["isr"]
    assert controller_id(cluster.zk) == ctl, "the controller did not move"
    # The two survivors take acks=all writes (min.insync.replicas=2) and keep what was acknowledged before.
    survivors = ",".join(b.bootstrap for b in brokers if b is not victim)
    acked_produce(survivors, "crash", b"after", DETECTED_WITHIN_S)
    for b in brokers:
        if b is not victim:
            assert b.sanitizer_report() is None, b.sanitizer_report()
    logs = "".join(b.output_path.read_text(errors="replace") for b in brokers if b is not victim)
    assert f"Removed /brokers/ids/{victim.broker_id}" in logs


def test_killed_controller_is_replaced_long_before_its_session_expires(cluster):
    brokers, zkc = three(cluster)
    create_topic(cluster.bootstrap, "crash-ctl", 3)
    states = wait_full_isr(cluster.zk, "crash-ctl", 3)
    old = controller_id(cluster.zk)
    led = [p for p, s in states.items() if s["leader"] == old]
    cluster.brokers[old].kill()
    new = wait_until(lambda: (c := controller_id(cluster.zk)) is not None and c != old and c, DETECTED_WITHIN_S,
                     "a new controller")
    assert old not in registered(zkc)
    for p in led:
        wait_until(lambda p=p: partition_state(cluster.zk, "crash-ctl", p)["leader"] not in (-1, old),
                   DETECTED_WITHIN_S, f"partition {p} led by a live broker")
    survivors = ",".join(b.bootstrap for b in brokers if b.broker_id != old)
    acked_produce(survivors, "crash-ctl", b"after", DETECTED_WITHIN_S)
    assert new in (b.broker_id for b in brokers)


def test_restart_right_after_a_kill_registers_without_waiting_for_the_old_session(cluster):
    brokers, zkc = three(cluster)
    victim = brokers[1]
    czxid = zkc.exists(f"/brokers/ids/{victim.broker_id}").czxid
    victim.kill()
    t0 = time.monotonic()
    victim.start(wait=True, timeout=DETECTED_WITHIN_S + 10)
    elapsed = time.monotonic() - t0
    stat = zkc.exists(f"/brokers/ids/{victim.broker_id}")
    assert stat is not None and stat.czxid != czxid
    assert elapsed < LONG_SESSION_MS / 1000 / 2, f"restart took {elapsed:.1f} s"


def test_paused_broker_is_left_to_its_session(cluster):
    # A stopped (hung) process keeps its sockets open: no EOF, no refusal, so nothing may remove it early.
    brokers, zkc = three(cluster, {"zookeeper.session.timeout.ms": "6000"})
    victim = brokers[2]
    victim.pause()
    try:
        t0 = time.monotonic()
        wait_until(lambda: victim.broker_id not in registered(zkc), 30, "the session of the paused broker expired")
        assert time.monotonic() - t0 >= 5.0, "a paused broker was removed before its 6 s session expired"
    finally:
        victim.resume()
    wait_until(lambda: victim.broker_id in registered(zkc), 30, "the resumed broker registered again")


def test_detection_turned_off_leaves_a_killed_broker_to_its_session(cluster):
    brokers, zkc = three(cluster, {"zookeeper.session.timeout.ms": "6000", "gregor.crash.detection.enable": "false"})
    victim = brokers[2]
    victim.kill()
    t0 = time.monotonic()
    wait_until(lambda: victim.broker_id not in registered(zkc), 30, "the killed broker's session expired")
    assert time.monotonic() - t0 >= 5.0, "removed before its 6 s session expired although detection is off"


def test_a_live_broker_whose_registration_is_removed_registers_again(cluster):
    brokers, zkc = three(cluster)
    path = f"/brokers/ids/{brokers[0].broker_id}"
    czxid = zkc.exists(path).czxid
    zkc.delete(path)
    stat = wait_until(lambda: (s := zkc.exists(path)) and s.czxid != czxid and s, 10, "registered again")
    assert stat.ephemeralOwner != 0
    wait_until(lambda: brokers[0].registered(), 30, "the controller lists it again")


def test_lone_broker_restarted_after_a_kill_closes_its_previous_session(broker_factory, zk_client):
    # No peer to notice the crash: the new process, holding the log dir lock, ends the old session itself.
    b = broker_factory(1, {"zookeeper.session.timeout.ms": str(LONG_SESSION_MS)})
    old_owner = zk_client.exists("/brokers/ids/1").ephemeralOwner
    b.kill()
    t0 = time.monotonic()
    b.start(wait=True, timeout=DETECTED_WITHIN_S + 10)
    elapsed = time.monotonic() - t0
    stat = zk_client.exists("/brokers/ids/1")
    assert stat is not None and stat.ephemeralOwner != old_owner
    assert elapsed < LONG_SESSION_MS / 1000 / 2, f"restart took {elapsed:.1f} s"
    assert f"closed ZooKeeper session 0x{old_owner:x}" in b.output_path.read_text(errors="replace")


def test_a_broker_never_reached_at_its_advertised_address_is_left_alone(cluster):
    # Broker 3 advertises a port nobody listens on (a common container misconfiguration): its peers' connections
    # are refused from the start, which proves nothing, so its registration must stay (no remove/re-register loop).
    start_cluster(cluster, ids=(1, 2), extra=PROPS)
    zkc = cluster.zk.client()
    props = {**PROPS, "advertised.listeners": f"PLAINTEXT://127.0.0.1:{free_port()}"}
    cluster.add_broker(3, props, wait=False)
    stat = wait_until(lambda: zkc.exists("/brokers/ids/3"), 30, "broker 3 registered")
    # Long enough for several of the peers' one-second checks.
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        now = zkc.exists("/brokers/ids/3")
        assert now is not None and now.czxid == stat.czxid, "broker 3's registration was removed"
        time.sleep(0.2)
