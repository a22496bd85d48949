"""Connection limits: idle connections are closed after connections.max.idle.ms; busy ones are not."""
import socket
import time

from harness.wire import KafkaConnection


def test_idle_connection_is_closed_and_active_one_kept(broker_factory):
    b = broker_factory(1, {"connections.max.idle.ms": "1500"})
    host, port = b.bootstrap.split(":")
    idle = socket.create_connection((host, int(port)), timeout=10)
    t0 = time.time()
    with KafkaConnection.to(b.bootstrap) as active:
        closed = False
        while time.time() - t0 < 10:
            assert active.api_versions().error_code == 0  # keeps this one busy
            idle.settimeout(0.2)
            try:
                if idle.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
        assert closed, "idle connection was not closed"
        assert time.time() - t0 >= 1.4
        assert active.api_versions().error_code == 0
