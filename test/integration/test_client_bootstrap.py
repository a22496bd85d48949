"""The gregor client moves past a bootstrap broker it cannot reach: a name that does not resolve, a port where
nothing listens, and an address that never answers the SYN (a stopped container: the connection setup timeout,
Java's socket.connection.setup.timeout.ms). Each case: the bad address first, a live broker second, and a
--timeout-ms the command must succeed within."""
import socket

import pytest

from harness.ports import free_port
from test_cli_support import gregor


def _cluster_info_ids(bootstrap: str, timeout_ms: int) -> list[str]:
    r = gregor(bootstrap, "--timeout-ms", str(timeout_ms), "cluster", "info", timeout=timeout_ms / 1000 + 30)
    return [line.split()[0].rstrip("*") for line in r.stdout.split("BROKERS")[1].splitlines()[3:] if line.strip()]


@pytest.mark.parametrize("bad", ["unresolvable", "refused"])
def test_unreachable_bootstrap_broker_is_skipped(module_broker, bad):
    first = "no-such-host.invalid:9092" if bad == "unresolvable" else f"127.0.0.1:{free_port()}"
    ids = _cluster_info_ids(f"{first},{module_broker.bootstrap}", 8000)
    assert ids[:1] == [str(module_broker.broker_id)]


def test_bootstrap_broker_that_never_answers_the_syn_is_skipped(module_broker):
    # A listener with a full accept queue: Linux drops further SYNs, so connect() hangs as it does towards a
    # stopped container. One queued connection fills a backlog of 0; a second one makes sure.
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(0)
    fillers = []
    try:
        for _ in range(2):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(hung.getsockname())
            fillers.append(s)
        port = hung.getsockname()[1]
        # 25 s: longer than the 10 s setup timeout, shorter than the kernel's SYN retries (about 2 minutes).
        ids = _cluster_info_ids(f"127.0.0.1:{port},{module_broker.bootstrap}", 25000)
        assert ids[:1] == [str(module_broker.broker_id)]
    finally:
        for s in fillers:
            s.close()
        hung.close()
