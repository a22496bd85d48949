"""A broker whose ZooKeeper session expired (paused past the session timeout) re-registers by itself."""
import time

import pytest
from harness.wire import KafkaConnection
from kazoo.client import KazooClient

from kafka_raw import create_topics, list_offset


def test_paused_broker_re_registers_after_session_expiry(broker_factory, zk):
    b = broker_factory(1, {"zookeeper.session.timeout.ms": "4000"})
    zkc = KazooClient(hosts=zk.connect)
    zkc.start(timeout=15)
    try:
        with KafkaConnection.to(b.bootstrap) as c:
            assert create_topics(c, {"expiry": (1, 1)})["expiry"][0] == 0
        _, before = zkc.get("/brokers/ids/1")
        b.pause()
        deadline = time.time() + 30
        while zkc.exists("/brokers/ids/1") and time.time() < deadline:
            time.sleep(0.2)
        assert not zkc.exists("/brokers/ids/1"), "the session did not expire"
        b.resume()
        deadline = time.time() + 30
        stat = None
        while time.time() < deadline:
            stat = zkc.exists("/brokers/ids/1")
            if stat:
                break
            time.sleep(0.2)
        assert stat and stat.czxid > before.czxid, "broker did not re-register with a new broker epoch"
        with KafkaConnection.to(b.bootstrap) as c:
            assert list_offset(c, "expiry", 0, -1)[0] == 0
        assert "expired" in b.log_tail(20000)
    finally:
        zkc.stop()
        zkc.close()
