"""Fixtures for the harness's own tests (run: .venv/bin/python -m pytest test/harness)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # test/ -> import harness

from harness.pytest_fixtures import (  # noqa: E402,F401
    broker, broker_cls, broker_factory, cluster, zk)
