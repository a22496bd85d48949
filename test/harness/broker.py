"""Broker processes: gregor-broker and, as the reference, Apache Kafka 3.9 in ZooKeeper mode."""
import os
import shlex
from pathlib import Path

from .paths import KAFKA_LIBS, gregor_broker_binary
from .ports import free_port
from .process import ManagedProcess
from .wait import wait_until
from .wire import KafkaConnection
from .zookeeper import ZooKeeper


class BrokerProcess:
    """What both brokers share: server.properties, start/stop/kill/pause, readiness.

    Subclasses give the command line. extra_props override the defaults below.
    """

    kind = "broker"

    def __init__(self, zk: ZooKeeper, broker_id: int, tmp_path: Path, port: int | None = None,
                 extra_props: dict | None = None, zk_chroot: str = ""):
        self.zk = zk
        self.broker_id = broker_id
        self.port = port or free_port()
        self.dir = Path(tmp_path) / f"{self.kind}-{broker_id}"
        self.log_dir = self.dir / "data"
        self.config_path = self.dir / "server.properties"
        self.output_path = self.dir / "broker.out"
        self.zk_chroot = zk_chroot
        self.extra_props = dict(extra_props or {})
        self.process: ManagedProcess | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def properties(self) -> dict[str, str]:
        props = {
            "broker.id": str(self.broker_id),
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "log.dirs": str(self.log_dir),
            "zookeeper.connect": self.zk.connect + self.zk_chroot,
            "zookeeper.session.timeout.ms": "6000",
            "num.partitions": "1",
            "default.replication.factor": "1",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        props.update({k: str(v) for k, v in self.extra_props.items()})
        return props

    def write_config(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        lines = [f"# written by the test harness for {self.kind} {self.broker_id}"]
        lines += [f"{k}={v}" for k, v in self.properties().items()]
        self.config_path.write_text("\n".join(lines) + "\n")

    def partition_dir(self, topic: str, partition: int = 0) -> Path:
        """<log.dir>/<topic>-<partition>, Kafka's layout."""
        return self.log_dir / f"{topic}-{partition}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self, wait: bool = True, timeout: float = 60.0) -> "BrokerProcess":
        """Write server.properties (again: extra_props may have changed) and start the process."""
        self.write_config()
        self.process = ManagedProcess(self.command(), self.output_path, env=self.environment(),
                                      cwd=self.dir)
        self.process.start()
        if wait:
            self.wait_ready(timeout)
        return self

    def answers_api_versions(self) -> bool:
        """True when an ApiVersions v0 request gets a well-formed, error-free answer."""
        try:
            with KafkaConnection("127.0.0.1", self.port, timeout=2.0) as c:
                resp = c.api_versions()
            return resp.error_code == 0 and len(resp.api_keys) > 0
        except (OSError, ConnectionError, ValueError):
            return False

    def registered(self) -> bool:
        """True when Metadata lists this broker (it has registered in ZooKeeper and the
        controller has told it about the cluster)."""
        with KafkaConnection("127.0.0.1", self.port, timeout=2.0) as c:
            md = c.metadata([])
        return any(b.node_id == self.broker_id for b in md.brokers)

    def wait_ready(self, timeout: float = 60.0, registered: bool = True) -> None:
        def ready() -> bool:
            if not self.process.running():
                raise BrokerExited(f"{self.kind} {self.broker_id} exited with "
                                   f"{self.process.returncode()}:\n{self.process.log_tail()}")
            if not self.answers_api_versions():
                return False
            return not registered or self.registered()
        try:
            wait_until(ready, timeout, f"{self.kind} {self.broker_id} on {self.bootstrap}", 0.1,
                       fatal=(BrokerExited,))
        except BrokerExited:
            raise
        except Exception as e:
            raise AssertionError(f"{e}\n--- {self.output_path} ---\n{self.process.log_tail()}")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, wait up to timeout for a clean shutdown, then SIGKILL."""
        return self.process.stop(timeout) if self.process else None

    def kill(self) -> int | None:
        return self.process.kill() if self.process else None

    def pause(self) -> None:
        self.process.pause()

    def resume(self) -> None:
        self.process.resume()

    def running(self) -> bool:
        return bool(self.process and self.process.running())

    def log_tail(self, max_bytes: int = 4000) -> str:
        return self.process.log_tail(max_bytes) if self.process else ""

    SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                         "WARNING: ThreadSanitizer")

    def sanitizer_report(self) -> str | None:
        """The first sanitizer report in the broker's output (ASan/UBSan builds), or None."""
        try:
            text = self.output_path.read_text(errors="replace")
        except FileNotFoundError:
            return None
        hits = [text.find(m) for m in self.SANITIZER_MARKERS if m in text]
        if not hits:
            return None
        start = min(hits)
        return text[max(0, start - 200):start + 6000]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.broker_id} {self.bootstrap}>"


class BrokerExited(AssertionError):
    pass


class GregorBroker(BrokerProcess):
    """build/broker/gregor-broker <server.properties> (GREGOR_BUILD_DIR overrides build/)."""

    kind = "gregor"

    def __init__(self, *args, binary: Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.binary = Path(binary) if binary else gregor_broker_binary()

    def command(self) -> list[str]:
        if not self.binary.exists():
            raise FileNotFoundError(f"{self.binary} not built (set GREGOR_BUILD_DIR?)")
        wrapper = shlex.split(os.environ.get("GREGOR_BROKER_WRAPPER", ""))  # e.g. valgrind
        return wrapper + [str(self.binary), str(self.config_path)]


class KafkaBroker(BrokerProcess):
    """Apache Kafka 3.9 from .state/kafka-3.9/libs (test/compat/install.sh --kafka)."""

    kind = "kafka"
    # kafka-run-class.sh / kafka-server-start.sh defaults.
    JVM_PERFORMANCE_OPTS = ["-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                            "-XX:InitiatingHeapOccupancyPercent=35",
                            "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15",
                            "-Djava.awt.headless=true"]

    def __init__(self, *args, heap_opts: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.heap_opts = heap_opts or os.environ.get("KAFKA_HEAP_OPTS", "-Xmx1G -Xms1G")

    def properties(self) -> dict[str, str]:
        props = {"auto.create.topics.enable": "true"}
        props.update(super().properties())
        return props

    def command(self) -> list[str]:
        if not KAFKA_LIBS.is_dir():
            raise FileNotFoundError(f"{KAFKA_LIBS} missing: run test/compat/install.sh --kafka")
        log4j = self.dir / "log4j.properties"
        log4j.write_text("log4j.rootLogger=INFO, stdout\n"
                         "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
                         "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
                         "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
                         "log4j.logger.kafka=INFO\nlog4j.logger.org.apache.kafka=INFO\n"
                         "log4j.logger.org.apache.zookeeper=WARN\n")
        return (["java"] + shlex.split(self.heap_opts) + self.JVM_PERFORMANCE_OPTS +
                [f"-Dlog4j.configuration=file:{log4j}", f"-Dkafka.logs.dir={self.dir / 'logs'}",
                 "-cp", f"{KAFKA_LIBS}/*", "kafka.Kafka", str(self.config_path)])


def broker_class(target: str | None = None) -> type[BrokerProcess]:
    """COMPAT_TARGET (or GREGOR_TEST_TARGET) = gregor (default) | kafka."""
    target = target or os.environ.get("COMPAT_TARGET") or os.environ.get("GREGOR_TEST_TARGET",
                                                                           "gregor")
    classes = {"gregor": GregorBroker, "kafka": KafkaBroker}
    if target not in classes:
        raise ValueError(f"unknown broker target {target!r}: use gregor or kafka")
    return classes[target]
