"""The harness itself: ports, ZooKeeper lifecycle, broker start/stop/kill/pause, the raw client."""
import os
import socket

import pytest

from harness import KafkaConnection, ZooKeeper, free_port, wait_until
from harness.segments import read_batches
from harness.wait import WaitTimeout
from harness.wire import ProtocolError, parse_metadata_v1


def test_free_ports_are_distinct_and_bindable():
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == 20
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[0]))


def test_wait_until_times_out_with_the_last_error():
    def boom():
        raise ValueError("not yet")
    with pytest.raises(WaitTimeout, match="not yet"):
        wait_until(boom, 0.2, "something")


def test_zookeeper_starts_answers_and_stops(tmp_path):
    z = ZooKeeper(tmp_path).start()
    pid = z.process.pid
    assert z.ruok()
    assert (tmp_path / "zookeeper" / "zoo.cfg").read_text().count("tickTime=500") == 1
    z.stop()
    assert not z.running()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not z.ruok()


def test_metadata_parser_rejects_truncated_frames():
    with pytest.raises(ProtocolError):
        parse_metadata_v1(b"\x00\x00\x00\x01\x00\x00")


def test_segment_reader_stops_at_a_torn_tail(tmp_path):
    # One 61-byte batch header with no records, then half of another.
    header = (0).to_bytes(8, "big") + (49).to_bytes(4, "big") + bytes(4) + b"\x02" + bytes(4) + \
        (4).to_bytes(2, "big") + bytes(4 + 8 + 8 + 8 + 2 + 4) + (0).to_bytes(4, "big")
    seg = tmp_path / "00000000000000000000.log"
    seg.write_bytes(header + header[:30])
    batches = read_batches(seg)
    assert [(b.base_offset, b.codec, b.record_count) for b in batches] == [(0, "zstd", 0)]


def test_broker_ready_and_answers(broker, zk):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert c.api_versions().error_code == 0
        assert [b.node_id for b in c.metadata([]).brokers] == [0]
    # Kafka's znode layout: the registration carries the advertised endpoint.
    reg = zk.read_json("/brokers/ids/0")
    assert f"PLAINTEXT://127.0.0.1:{broker.port}" in reg["endpoints"]
    assert zk.read_json("/controller")["brokerid"] == 0


def test_brokers_pause_kill_restart(broker_factory):
    b1, b2 = broker_factory([1, 2])
    with KafkaConnection.to(b1.bootstrap) as c:
        wait_until(lambda: len(c.metadata([]).brokers) == 2, 30, "both brokers in metadata")
    b2.pause()
    assert not b2.answers_api_versions()
    b2.resume()
    wait_until(b2.answers_api_versions, 10, "broker 2 answering after SIGCONT")
    b2.kill()
    assert not b2.running()
    with KafkaConnection.to(b1.bootstrap) as c:
        # zookeeper.session.timeout.ms=6000: the controller notices the lost session.
        wait_until(lambda: [b.node_id for b in c.metadata([]).brokers] == [1], 30,
                   "broker 2 leaving metadata")
    b2.start()  # same id, port and log dir
    with KafkaConnection.to(b1.bootstrap) as c:
        wait_until(lambda: len(c.metadata([]).brokers) == 2, 30, "broker 2 back")
    assert b1.stop() is not None
    assert not b1.running()
