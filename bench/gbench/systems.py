"""Systems under test: ZooKeeper, a gregor broker and an Apache Kafka 3.9 broker, started fresh from empty dirs."""
import shutil
import time
from pathlib import Path

from .procs import Proc, answers_api_versions, free_port, pinned, wait_until

# kafka-run-class.sh defaults (KAFKA_JVM_PERFORMANCE_OPTS) and kafka-server-start.sh heap.
JVM_PERFORMANCE_OPTS = ["-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                        "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
                        "-XX:MaxInlineLevel=15", "-Djava.awt.headless=true"]
KAFKA_HEAP_OPTS = ["-Xmx1G", "-Xms1G"]
ZK_HEAP_OPTS = ["-Xmx512M", "-Xms512M"]

LOG4J = """log4j.rootLogger={level}, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
"""


def write_log4j(path: Path, level: str = "INFO") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(LOG4J.format(level=level))
    return path


class ZooKeeper:
    """One ZooKeeper (Kafka's bundled 3.8 server, zookeeper-server-start.sh heap) shared by all runs;
    every broker set gets its own chroot so each start is fresh."""

    def __init__(self, work: Path, libs: Path):
        self.dir = work / "zookeeper"
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "data").mkdir(parents=True)
        self.port = free_port()
        cfg = self.dir / "zookeeper.properties"
        cfg.write_text(f"dataDir={self.dir / 'data'}\nclientPort={self.port}\nclientPortAddress=127.0.0.1\n"
                       "maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n")
        log4j = write_log4j(self.dir / "log4j.properties", "WARN")
        cmd = (["java"] + ZK_HEAP_OPTS + JVM_PERFORMANCE_OPTS + [f"-Dlog4j.configuration=file:{log4j}",
               "-cp", f"{libs}/*", "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(cfg)])
        self.proc = Proc("zookeeper", cmd, self.dir / "zookeeper.out")
        wait_until(self.ruok, 60, "ZooKeeper", 0.1, self.proc)

    def ruok(self) -> bool:
        import socket
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"ruok")
                return s.recv(4) == b"imok"
        except OSError:
            return False

    @property
    def connect(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.stop()


class Broker:
    """Common part: server.properties (the spec's Kafka settings, same for both), start, readiness."""

    kind = "broker"

    def __init__(self, work: Path, broker_id: int, zk_connect: str, cpus: str | None, extra: dict | None = None):
        self.broker_id = broker_id
        self.dir = work / f"{self.kind}-{broker_id}"
        shutil.rmtree(self.dir, ignore_errors=True)  # empty data dir for every start
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.cpus = cpus
        props = {
            "broker.id": broker_id,
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "log.dirs": self.dir / "data",
            "zookeeper.connect": zk_connect,
            "zookeeper.connection.timeout.ms": 18000,
            "num.network.threads": 3,
            "num.io.threads": 8,
            "num.partitions": 1,
            "default.replication.factor": 1,
            "offsets.topic.replication.factor": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
            "group.initial.rebalance.delay.ms": 0,
            "log.segment.bytes": 1073741824,
            "auto.create.topics.enable": "false",
        }
        props.update(extra or {})
        self.config = self.dir / "server.properties"
        self.config.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        self.proc: Proc | None = None
        self.startup_seconds: float | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, wait: bool = True, timeout: float = 90.0) -> "Broker":
        """Start; with wait, block until the first answered ApiVersions (see wait_ready)."""
        self.proc = Proc(f"{self.kind}-{self.broker_id}", pinned(self.cpus, self.command()), self.dir / "broker.out",
                         cwd=self.dir)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        """startup_seconds = exec to the first answered ApiVersions request (polled every 10 ms)."""
        wait_until(lambda: answers_api_versions(self.port, 0.5), timeout, f"{self.proc.name} ApiVersions",
                   0.01, self.proc)
        self.startup_seconds = time.monotonic() - self.proc.t_start

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


class GregorBroker(Broker):
    kind = "gregor"

    def __init__(self, *args, binary: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.binary = binary

    def command(self) -> list[str]:
        return [str(self.binary), str(self.config)]


class KafkaBroker(Broker):
    kind = "kafka"

    def __init__(self, *args, libs: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.libs = libs

    def command(self) -> list[str]:
        log4j = write_log4j(self.dir / "log4j.properties", "INFO")
        return (["java"] + KAFKA_HEAP_OPTS + JVM_PERFORMANCE_OPTS +
                [f"-Xlog:gc*:file={self.dir / 'kafkaServer-gc.log'}:time,tags:filecount=10,filesize=100M",
                 "-Dcom.sun.management.jmxremote", "-Dcom.sun.management.jmxremote.authenticate=false",
                 "-Dcom.sun.management.jmxremote.ssl=false", f"-Dkafka.logs.dir={self.dir / 'logs'}",
                 f"-Dlog4j.configuration=file:{log4j}", "-cp", f"{self.libs}/*", "kafka.Kafka", str(self.config)])


def make_brokers(system: str, n: int, work: Path, zk_connect: str, cpus: str | None, paths: dict,
                 extra: dict | None = None) -> list[Broker]:
    """n brokers of one system (ids 1..n) sharing the ZooKeeper chroot zk_connect."""
    out = []
    for i in range(1, n + 1):
        if system == "gregor":
            out.append(GregorBroker(work, i, zk_connect, cpus, extra, binary=paths["gregor_broker"]))
        else:
            out.append(KafkaBroker(work, i, zk_connect, cpus, extra, libs=paths["kafka_libs"]))
    return out
