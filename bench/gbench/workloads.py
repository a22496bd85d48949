"""The workloads (W1-W5, memory, start-up, failover) run against one freshly started system."""
import contextlib
import shutil
import threading
import time
from pathlib import Path

from .procs import wait_until
from .profile import Profiler
from .systems import ZooKeeper, make_brokers
from .tools import Tools, ToolFailed

GIB = 2**30
# Producer settings of W1/W2 (identical for both systems and both tools).
# max.in.flight is Java's and gregor's default (5), said explicitly because librdkafka's default is 1,000,000.
W1_PROPS = {"acks": "1", "linger.ms": "5", "batch.size": "16384", "compression.type": "none",
            "enable.idempotence": "false", "max.in.flight.requests.per.connection": "5"}
W5_PROPS = dict(W1_PROPS, acks="all")
TOOLS = ("kafka", "gregor")  # kafka = Kafka's ProducerPerformance/ConsumerPerformance; gregor = gregor perf
# W1/W2 also run librdkafka (bench/c/rdkafka_perf.c): gregor perf produce must keep up with it (issue 7).
SINGLE_PRODUCE_TOOLS = TOOLS + ("rdkafka",)


class RssSampler:
    """Peak VmRSS of a process, sampled every 100 ms while active."""

    def __init__(self, proc):
        self.proc, self.peak, self._stop = proc, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.rss_mib() or 0.0)
            self._stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()


class Runner:
    def __init__(self, cfg: dict, paths: dict, work: Path, zk: ZooKeeper, tools: Tools, results: dict, log):
        self.cfg, self.paths, self.work, self.zk, self.tools, self.results, self.log = (
            cfg, paths, work, zk, tools, results, log)
        self.w4_rate: float | None = None

    def add(self, workload: str, system: str, tool: str, rep: int, **values) -> None:
        point = {"workload": workload, "system": system, "tool": tool, "rep": rep, **values}
        self.results["points"].append(point)
        shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in values.items()
                 if k in ("mib_per_s", "records_per_s", "p50_ms", "p99_ms", "p999_ms", "value", "na",
                          "achieved_send_rate")}
        self.log(f"  {workload} {system:6} {tool:22} rep {rep}: {shown}")

    def na(self, workload: str, system: str, tool: str, rep: int, reason: str) -> None:
        self.add(workload, system, tool, rep, na=reason)

    # --- one broker, pinned ---------------------------------------------------------------------------------
    def single(self, system: str, rep: int) -> None:
        cfg = self.cfg
        run_dir = self.work / f"{system}-r{rep}"
        shutil.rmtree(run_dir, ignore_errors=True)
        [b] = make_brokers(system, 1, run_dir, f"{self.zk.connect}/bench-{system}-r{rep}", cfg["broker_cpus"],
                           self.paths)
        self.log(f"[{system} rep {rep}] start 1 broker pinned to cpu {cfg['broker_cpus']}")
        try:
            b.start()
            self.add("startup", system, "ApiVersions probe", rep, value=b.startup_seconds, unit="s")
            self.tools.create_topic(b.bootstrap, "idle")
            self.tools.wait_isr(b.bootstrap, "idle", 1, 60)
            time.sleep(cfg["idle_seconds"])  # the idle interval itself is what is measured
            self.add("rss_idle", system, "/proc VmRSS", rep, value=b.proc.rss_mib(), unit="MiB")
            with RssSampler(b.proc) as rss:
                w1_topics = self.produce_workload("W1", system, rep, b, cfg["w1_records"], 1024, W1_PROPS, 1)
            self.add("rss_w1", system, "/proc VmRSS", rep, value=rss.peak, unit="MiB")
            self.consume_workload(system, rep, b, w1_topics)
            self.produce_workload("W2", system, rep, b, cfg["w2_records"], 100, W1_PROPS, 1)
            self.latency_workload(system, rep, b)
        finally:
            b.stop()
            self.keep_log(b, rep)
            shutil.rmtree(run_dir, ignore_errors=True)

    # --- one broker, nothing pinned -------------------------------------------------------------------------
    def shared(self, system: str, rep: int) -> None:
        """W1-W3 again with neither the broker nor the load tool pinned (performance.md 3.5 asks for both
        placements): the tool may then use whatever CPU the broker leaves, so a lighter broker shows as a
        faster client. Workloads are named W1-shared, W2-shared, W3-shared."""
        cfg = self.cfg
        run_dir = self.work / f"{system}-shared-r{rep}"
        shutil.rmtree(run_dir, ignore_errors=True)
        [b] = make_brokers(system, 1, run_dir, f"{self.zk.connect}/bench-{system}-shared-r{rep}", None, self.paths)
        self.log(f"[{system} rep {rep}] start 1 broker, nothing pinned")
        pinned_cpus, self.tools.client_cpus = self.tools.client_cpus, None
        try:
            b.start()
            w1_topics = self.produce_workload("W1-shared", system, rep, b, cfg["w1_records"], 1024, W1_PROPS, 1)
            self.consume_workload(system, rep, b, w1_topics, "W3-shared")
            self.produce_workload("W2-shared", system, rep, b, cfg["w2_records"], 100, W1_PROPS, 1)
            self.latency_workload(system, rep, b, "W4-shared")
        finally:
            self.tools.client_cpus = pinned_cpus
            b.stop()
            self.keep_log(b, rep)
            shutil.rmtree(run_dir, ignore_errors=True)

    def profiler(self, system: str, b, name: str) -> Profiler:
        """perf record of the (first) gregor broker when --profile is given; a no-op otherwise."""
        enabled = bool(self.cfg.get("profile")) and system == "gregor"
        return Profiler(b.proc.pid, self.tools.logdir / f"profile-gregor-{name}.txt", enabled)

    def keep_log(self, b, rep: int) -> None:
        """The broker's output goes next to the tool logs (the data dir is deleted)."""
        src = b.dir / "broker.out"
        if src.exists():
            shutil.copy(src, self.tools.logdir / f"broker-{b.kind}-{b.broker_id}-{b.dir.parent.name}.out")

    def produce_workload(self, wl: str, system: str, rep: int, brokers, records: int, size: int, props: dict,
                         rf: int) -> list[str]:
        """Every producer tool, each into its own new topic; returns the topics that got all records."""
        brokers = brokers if isinstance(brokers, list) else [brokers]
        bootstrap = brokers[0].bootstrap
        done = []
        for tool in (SINGLE_PRODUCE_TOOLS if rf == 1 else TOOLS):
            topic = f"{wl.lower()}-{tool}"
            try:
                configs = {"min.insync.replicas": 2} if rf > 1 else None
                self.tools.create_topic(bootstrap, topic, rf, configs)
                self.tools.wait_isr(bootstrap, topic, rf, self.cfg["isr_timeout"])
                cpu0 = sum(b.proc.cpu_seconds() for b in brokers)
                with self.profiler(system, brokers[0], f"{wl}-{tool}-r{rep}"):
                    r = self.tools.producer_perf(tool, bootstrap, topic, records, size, props,
                                                 timeout=self.cfg["tool_timeout"])
                broker_cpu = sum(b.proc.cpu_seconds() for b in brokers) - cpu0
                moved = records * size / GIB
                r.update(broker_cpu_s=broker_cpu, broker_cpu_s_per_gib=broker_cpu / moved,
                         client_cpu_s_per_gib=r["client_cpu_s"] / moved, record_size=size, props=props)
                self.add(wl, system, r.pop("tool"), rep, **r)
                done.append(topic)
            except (ToolFailed, TimeoutError, RuntimeError) as e:
                self.na(wl, system, tool_label(tool, "produce"), rep, f"run failed: {e}")
        return done

    def consume_workload(self, system: str, rep: int, b, topics: list[str], wl: str = "W3") -> None:
        """W3: read the W1 partition (1 GiB in a full run, still in the page cache) from offset 0."""
        ours = [t for t in topics if t.endswith("-gregor")]
        source = ours[0] if ours else (topics[0] if topics else None)
        for tool in TOOLS:
            if source is None:
                self.na(wl, system, tool_label(tool, "consume"), rep, "no W1 partition to read")
                continue
            try:
                cpu0 = b.proc.cpu_seconds()
                with self.profiler(system, b, f"{wl}-{tool}-r{rep}"):
                    r = self.tools.consumer_perf(tool, b.bootstrap, source, self.cfg["w1_records"],
                                                 timeout=self.cfg["tool_timeout"])
                moved = self.cfg["w1_records"] * 1024 / GIB
                broker_cpu = b.proc.cpu_seconds() - cpu0
                r.update(broker_cpu_s=broker_cpu, broker_cpu_s_per_gib=broker_cpu / moved,
                         client_cpu_s_per_gib=r["client_cpu_s"] / moved, partition_gib=moved)
                self.add(wl, system, r.pop("tool"), rep, **r)
            except (ToolFailed, RuntimeError) as e:
                self.na(wl, system, tool_label(tool, "consume"), rep, f"run failed: {e}")

    def latency_workload(self, system: str, rep: int, b, wl: str = "W4") -> None:
        """W4: open-loop 1 KiB at 50% of Kafka's W1 maximum (fixed from Kafka's first W1 run). The maximum is
        the one measured with Kafka's own tool, i.e. the Java client that E2eLatency uses too: librdkafka's
        higher W1 figure would ask the Java client for a rate it cannot send, and both systems would then show
        the tool's backlog instead of their latency."""
        if self.w4_rate is None:
            kafka_w1 = [p["records_per_s"] for p in self.results["points"]
                        if p["workload"] in ("W1", "W1-shared") and p["system"] == "kafka" and "records_per_s" in p
                        and p.get("tool") == tool_label("kafka", "produce")]
            if not kafka_w1:
                self.na(wl, system, "E2eLatency (Java client)", rep, "no Kafka W1 maximum measured yet")
                return
            self.w4_rate = 0.5 * max(kafka_w1)
            self.results["w4_rate"] = self.w4_rate
        try:
            self.tools.create_topic(b.bootstrap, "w4")
            self.tools.wait_isr(b.bootstrap, "w4", 1, 60)
            r = self.tools.e2e_latency(b.bootstrap, "w4", self.w4_rate, self.cfg["w4_seconds"],
                                       self.cfg["w4_warmup"], 1024, timeout=self.cfg["tool_timeout"])
            self.add(wl, system, "E2eLatency (Java client)", rep, **r)
        except (ToolFailed, TimeoutError, RuntimeError, ValueError) as e:
            self.na(wl, system, "E2eLatency (Java client)", rep, f"run failed: {e}")

    # --- three brokers, unpinned ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def three_brokers(self, system: str, rep: int, tag: str, extra: dict, what: str):
        """A fresh unpinned 3-broker cluster of one system, stopped (logs kept) on the way out."""
        run_dir = self.work / f"{system}-{tag}-r{rep}"
        shutil.rmtree(run_dir, ignore_errors=True)
        brokers = make_brokers(system, 3, run_dir, f"{self.zk.connect}/bench-{system}-{tag}-r{rep}", None,
                               self.paths, extra)
        self.log(f"[{system} rep {rep}] start 3 brokers ({what})")
        try:
            for b in brokers:
                b.start(wait=False)
            for b in brokers:
                b.wait_ready()
            self.wait_cluster(brokers)
            yield brokers
        finally:
            for b in brokers:
                b.stop()
                self.keep_log(b, rep)
            shutil.rmtree(run_dir, ignore_errors=True)

    def replicated(self, system: str, rep: int) -> None:
        cfg = self.cfg
        extra = {"offsets.topic.replication.factor": 3, "transaction.state.log.replication.factor": 3,
                 "transaction.state.log.min.isr": 2}
        try:
            with self.three_brokers(system, rep, "rf3", extra, "unpinned") as brokers:
                # One RF 3 topic first: when replication does not work, every point of this cluster is n/a at once.
                self.tools.create_topic(brokers[0].bootstrap, "rf3-probe", 3, {"min.insync.replicas": 2})
                self.tools.wait_isr(brokers[0].bootstrap, "rf3-probe", 3, cfg["isr_timeout"])
                self.produce_workload("W5", system, rep, brokers, cfg["w5_records"], 1024, W5_PROPS, 3)
                if cfg["failover"]:
                    self.failover(system, rep, brokers)
        except (TimeoutError, RuntimeError, ToolFailed) as e:
            for wl, tool in (("W5", "ProducerPerformance"), ("W5", "gregor perf produce"),
                             ("failover", "FailoverProbe (Java client)")):
                if not any(p["workload"] == wl and p["system"] == system and p["rep"] == rep and p["tool"] == tool
                           for p in self.results["points"]):
                    self.na(wl, system, tool, rep, f"cluster failed: {e}")

    def failover_equal_short_timeout(self, system: str, rep: int) -> None:
        """Failover again on a fresh cluster with zookeeper.session.timeout.ms=6000 on both systems
        (performance.md 3.3: the default pair measures the 18 s session mostly; an equal shorter timeout shows
        what each system adds to it)."""
        extra = {"offsets.topic.replication.factor": 3, "zookeeper.session.timeout.ms": 6000}
        try:
            with self.three_brokers(system, rep, "fo6", extra, "unpinned, ZooKeeper session 6 s") as brokers:
                self.failover(system, rep, brokers, "failover_6s")
        except (TimeoutError, RuntimeError, ToolFailed) as e:
            self.na("failover_6s", system, "FailoverProbe (Java client)", rep, f"cluster failed: {e}")

    def wait_cluster(self, brokers) -> None:
        """All three brokers registered (Metadata lists them)."""
        import json
        import subprocess

        def registered():
            p = subprocess.run(self.tools.gregor(brokers[0].bootstrap, ["--format", "json", "cluster", "info"]),
                               capture_output=True, text=True, timeout=20)
            try:
                return len(json.loads(p.stdout)["brokers"]) >= len(brokers)
            except (json.JSONDecodeError, KeyError, TypeError):
                return False
        wait_until(registered, 60, "3 brokers registered", 0.25)

    def failover(self, system: str, rep: int, brokers, wl: str = "failover") -> None:
        """kill -9 the partition leader under a 1,000 msg/s acks=all producer; time to the first
        acknowledged record that was sent after the kill (only the new leader can acknowledge it)."""
        tool = "FailoverProbe (Java client)"
        bootstrap = ",".join(b.bootstrap for b in brokers)
        out = self.tools.logdir / f"{wl}-{system}-r{rep}.log"
        try:
            self.tools.create_topic(brokers[0].bootstrap, "failover", 3, {"min.insync.replicas": 2})
            self.tools.wait_isr(brokers[0].bootstrap, "failover", 3, self.cfg["isr_timeout"])
        except (ToolFailed, TimeoutError) as e:
            self.na(wl, system, tool, rep, f"RF 3 topic not ready: {e}")
            return
        probe = self.tools.failover_probe(bootstrap, "failover", out, 150)
        try:
            wait_until(lambda: count_acks(out) >= 300, 60, "300 acknowledged records before the kill", 0.1)
            leader = self.tools.wait_isr(brokers[0].bootstrap, "failover", 3, 10)["leader"]
            victim = next(b for b in brokers if b.broker_id == leader)
            t_kill = time.time() * 1000
            victim.proc.kill9()
            first = wait_until(lambda: first_ack_after(out, t_kill), 120, "first ack after the kill", 0.05)
            errors = sum(1 for ln in read_lines(out) if ln.startswith("ERR"))
            self.add(wl, system, tool, rep, value=(first - t_kill) / 1000, unit="s", killed_broker=leader,
                     send_errors=errors)
        except (TimeoutError, RuntimeError, StopIteration, TypeError, KeyError) as e:
            self.na(wl, system, tool, rep, f"run failed: {e}")
        finally:
            probe.terminate()
            try:
                probe.wait(15)
            except Exception:
                probe.kill()
                probe.wait()


def tool_label(tool: str, kind: str) -> str:
    from .tools import tool_name
    return tool_name(tool, kind)


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def count_acks(path: Path) -> int:
    return sum(1 for ln in read_lines(path) if ln.startswith("ACK"))


def first_ack_after(path: Path, t_ms: float) -> float | None:
    acks = [int(f[2]) for f in (ln.split() for ln in read_lines(path))
            if len(f) >= 3 and f[0] == "ACK" and int(f[1]) >= t_ms]
    return min(acks) if acks else None
