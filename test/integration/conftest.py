"""Fixtures for integration tests: real ZooKeeper and broker processes (see test/harness).

zk, zk_client (kazoo), cluster, broker_factory, broker (function scope: fresh per test) and module_cluster /
module_broker (one per module). COMPAT_TARGET=kafka runs the same tests against Apache
Kafka 3.9 (test/compat/install.sh --kafka), which is how a test is shown to be right.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # test/ -> import harness

from harness.pytest_fixtures import (  # noqa: E402,F401
    broker, broker_cls, broker_factory, cluster, module_broker, module_cluster, zk, zk_client)


def pytest_configure(config):
    # Markers ./dev test selects on; registered so -m works without warnings.
    config.addinivalue_line("markers", "long: slow test, run with ./dev test --long")
    config.addinivalue_line("markers", "asan: also run against the ASan+UBSan broker build")
