"""Start-up: unreachable ZooKeeper, invalid and unknown config keys, environment overrides."""
import time

import pytest
from harness.broker import GregorBroker
from harness.ports import free_port
from harness.wire import KafkaConnection

pytestmark = pytest.mark.skipif(GregorBroker.kind != "gregor", reason="gregor's own start-up behaviour")


class NoZooKeeper:
    """A ZooKeeper address nobody listens on."""
    def __init__(self):
        self.connect = f"127.0.0.1:{free_port()}"


def wait_exit(broker, timeout):
    deadline = time.time() + timeout
    while broker.running() and time.time() < deadline:
        time.sleep(0.1)
    return broker.process.returncode()


def test_unreachable_zookeeper_ends_start_up_with_a_clear_message(tmp_path):
    b = GregorBroker(NoZooKeeper(), 1, tmp_path, extra_props={"zookeeper.connection.timeout.ms": "1500"})
    t0 = time.time()
    b.start(wait=False)
    try:
        rc = wait_exit(b, 30)
        assert rc not in (None, 0)
        assert time.time() - t0 < 20
        assert "zookeeper.connection.timeout.ms" in b.log_tail()
    finally:
        b.kill()


def test_invalid_value_names_the_key(tmp_path, zk):
    b = GregorBroker(zk, 1, tmp_path, extra_props={"num.partitions": "many"})
    b.start(wait=False)
    try:
        assert wait_exit(b, 20) == 1
        assert "num.partitions" in b.log_tail()
    finally:
        b.kill()


def test_unknown_key_is_a_warning(tmp_path, zk):
    b = GregorBroker(zk, 1, tmp_path, extra_props={"no.such.key": "1"})
    b.start()
    try:
        assert "unknown configuration key 'no.such.key'" in b.log_tail()
    finally:
        b.stop()


def test_environment_overrides_a_key(tmp_path, zk, monkeypatch):
    monkeypatch.setenv("GREGOR_NUM_PARTITIONS", "3")
    b = GregorBroker(zk, 1, tmp_path)
    b.start()
    try:
        with KafkaConnection.to(b.bootstrap) as c:
            c.metadata(["auto-created"])  # triggers auto-creation with num.partitions
            deadline = time.time() + 15
            while time.time() < deadline:
                t = c.metadata(["auto-created"]).topic("auto-created")
                if t and t.error_code == 0 and len(t.partitions) == 3:
                    break
                time.sleep(0.1)
            t = c.metadata(["auto-created"]).topic("auto-created")
            assert t.error_code == 0 and len(t.partitions) == 3
    finally:
        b.stop()
