"""pytest fixtures shared by test/integration and test/compat (import * in a conftest)."""
import pytest

from .broker import BrokerProcess, broker_class
from .cluster import Cluster
from .paths import KAFKA_LIBS, gregor_broker_binary
from .zookeeper import ZooKeeper


def _check_target(cls: type[BrokerProcess]) -> None:
    """Fail early and clearly when the broker under test is not there."""
    if cls.kind == "gregor" and not gregor_broker_binary().exists():
        pytest.fail(f"gregor broker not built at {gregor_broker_binary()} "
                    "(build it, or set GREGOR_BUILD_DIR, or COMPAT_TARGET=kafka)")
    if cls.kind == "kafka" and not KAFKA_LIBS.is_dir():
        pytest.fail(f"{KAFKA_LIBS} missing: run test/compat/install.sh --kafka")


@pytest.fixture(scope="session")
def broker_cls() -> type[BrokerProcess]:
    """The broker implementation under test: env COMPAT_TARGET=gregor (default) | kafka."""
    cls = broker_class()
    _check_target(cls)
    return cls


@pytest.fixture
def zk(tmp_path) -> ZooKeeper:
    z = ZooKeeper(tmp_path)
    z.start()
    yield z
    z.stop()


@pytest.fixture
def zk_client(zk):
    """A kazoo client on the test's ZooKeeper, stopped at the end."""
    c = zk.client()
    yield c
    c.stop()
    c.close()


@pytest.fixture
def cluster(tmp_path, zk, broker_cls) -> Cluster:
    """An empty cluster on the test's ZooKeeper; add brokers with cluster.add_broker(id)."""
    c = Cluster(tmp_path, broker_cls, zk=zk)
    yield c
    c.stop()


@pytest.fixture
def broker_factory(cluster):
    """broker_factory(ids, extra_props=None) starts brokers and waits until each is ready.

    ids may be one int (returns one broker) or a list (returns a list). Everything is
    stopped when the test ends, pass or fail.
    """
    def make(ids=0, extra_props: dict | None = None, **kwargs):
        if isinstance(ids, int):
            return cluster.add_broker(ids, extra_props, **kwargs)
        return cluster.add_brokers(list(ids), extra_props)
    make.cluster = cluster
    return make


@pytest.fixture
def broker(broker_factory) -> BrokerProcess:
    """One started, ready broker (id 0) on a fresh ZooKeeper."""
    return broker_factory(0)


@pytest.fixture(scope="module")
def module_cluster(tmp_path_factory, broker_cls) -> Cluster:
    """ZooKeeper plus one ready broker (id 0), shared by a whole test module."""
    c = Cluster(tmp_path_factory.mktemp("cluster"), broker_cls)
    try:
        c.add_broker(0)
    except BaseException:
        c.stop()
        raise
    yield c
    c.stop()


@pytest.fixture(scope="module")
def module_broker(module_cluster) -> BrokerProcess:
    return module_cluster.brokers[0]
