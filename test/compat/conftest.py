"""Fixtures for the compat suite: one ZooKeeper + broker per module (COMPAT_TARGET picks it)."""
import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # test/ -> import harness
sys.path.insert(0, str(Path(__file__).resolve().parent))      # records, runners

from harness.pytest_fixtures import broker_cls, module_broker, module_cluster  # noqa: E402,F401

_topic_seq = itertools.count()


def pytest_configure(config):
    config.addinivalue_line("markers", "groups: needs consumer-group support in the broker")


@pytest.fixture(scope="session", autouse=True)
def client_logs(tmp_path_factory) -> Path:
    """Every client's stderr is kept here (named in failure messages)."""
    import runners
    runners.LOG_DIR = tmp_path_factory.mktemp("client-logs")
    return runners.LOG_DIR


@pytest.fixture
def topic(request) -> str:
    """A fresh topic name per test (auto-created by the first producer)."""
    name = "".join(c if c.isalnum() else "-" for c in request.node.name)[:120]
    return f"t{next(_topic_seq)}-{name}".strip("-")


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path

