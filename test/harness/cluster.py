"""A ZooKeeper plus any number of brokers, torn down together (brokers first)."""
from pathlib import Path

from .broker import BrokerProcess, broker_class
from .zookeeper import ZooKeeper


class Cluster:
    def __init__(self, tmp_path: Path, broker_cls: type[BrokerProcess] | None = None,
                 zk: ZooKeeper | None = None):
        self.tmp_path = Path(tmp_path)
        self.broker_cls = broker_cls or broker_class()
        self.zk = zk
        self._owns_zk = zk is None
        self.brokers: dict[int, BrokerProcess] = {}

    def start_zk(self) -> ZooKeeper:
        if self.zk is None:
            self.zk = ZooKeeper(self.tmp_path)
        if not self.zk.running():
            self.zk.start()
        return self.zk

    def add_broker(self, broker_id: int, extra_props: dict | None = None, start: bool = True,
                   port: int | None = None, wait: bool = True, **kwargs) -> BrokerProcess:
        """Create (and by default start and wait for) broker broker_id."""
        if broker_id in self.brokers:
            raise ValueError(f"broker {broker_id} already exists")
        self.start_zk()
        b = self.broker_cls(self.zk, broker_id, self.tmp_path, port=port, extra_props=extra_props,
                            **kwargs)
        self.brokers[broker_id] = b
        if start:
            b.start(wait=wait)
        return b

    def add_brokers(self, ids: list[int], extra_props: dict | None = None,
                    wait: bool = True) -> list[BrokerProcess]:
        """Start several brokers concurrently, then wait for each (faster than one by one)."""
        started = [self.add_broker(i, extra_props, wait=False) for i in ids]
        if wait:
            for b in started:
                b.wait_ready()
        return started

    @property
    def bootstrap(self) -> str:
        return ",".join(b.bootstrap for b in self.brokers.values() if b.running())

    def stop(self) -> None:
        errors = []
        for b in self.brokers.values():
            try:
                b.stop()
            except Exception as e:  # keep stopping the rest, then report
                errors.append(e)
        if self._owns_zk and self.zk:
            self.zk.stop()
        if errors:
            raise errors[0]
        # A sanitizer report fails the test even when the broker kept answering.
        for b in self.brokers.values():
            report = b.sanitizer_report()
            if report:
                raise AssertionError(f"sanitizer report in {b.output_path}:\n{report}")

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
