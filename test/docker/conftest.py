# pytest fixtures for the container tests (the helpers live in container_cluster.py, a name unique in test/).
import pytest

from container_cluster import cluster  # noqa: F401 - re-exported as a fixture

SERVICES = ("zookeeper", "broker-1", "broker-2", "broker-3")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the last log lines of ZooKeeper and the brokers: the compose project is gone after."""
    outcome = yield
    report = outcome.get_result()
    c = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or c is None:
        return
    for service in SERVICES:
        try:
            report.sections.append((f"{service} log (last 40 lines)", c.logs(service, tail=40)))
        except Exception as e:  # the failure itself may be a missing container
            report.sections.append((f"{service} log", f"unavailable: {e}"))
