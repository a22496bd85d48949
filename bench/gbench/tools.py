"""Load tools against either system: Kafka's ProducerPerformance/ConsumerPerformance, `gregor perf`, the
open-loop E2eLatency and FailoverProbe (bench/java), and topic admin through the gregor CLI."""
import json
import re
import resource
import subprocess
import time
from pathlib import Path

from .procs import pinned, wait_until
from .systems import JVM_PERFORMANCE_OPTS

TOOL_HEAP = ["-Xmx512M"]  # performance.md 3.2 runs the Java tools with -Xmx512M


class ToolFailed(RuntimeError):
    pass


class Tools:
    def __init__(self, paths: dict, logdir: Path, client_cpus: str | None):
        self.paths = paths
        self.logdir = logdir
        self.client_cpus = client_cpus
        self.log4j = logdir / "tools-log4j.properties"
        self.log4j.write_text("log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
                              "log4j.appender.stderr.Target=System.err\n"
                              "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
                              "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n")
        self.counter = 0

    # --- running ------------------------------------------------------------------------------------------
    def java(self, main: str, args: list[str]) -> list[str]:
        cp = f"{self.paths['bench_classes']}:{self.paths['tools_libs']}/*"
        return (["java"] + TOOL_HEAP + JVM_PERFORMANCE_OPTS + [f"-Dlog4j.configuration=file:{self.log4j}",
                "-cp", cp, main] + args)

    def gregor(self, bootstrap: str, args: list[str]) -> list[str]:
        return [str(self.paths["gregor_cli"]), "--brokers", bootstrap] + args

    def run(self, label: str, cmd: list[str], timeout: float, pin: bool = True) -> tuple[str, float, float]:
        """Run a tool to completion; returns (stdout, wall seconds, client CPU seconds). Output kept in logs."""
        self.counter += 1
        log = self.logdir / f"{self.counter:03d}-{label}.log"
        cmd = pinned(self.client_cpus if pin else None, cmd)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            log.write_text(f"$ {' '.join(cmd)}\nTIMEOUT after {timeout} s\n{e.stdout or ''}\n{e.stderr or ''}")
            raise ToolFailed(f"{label}: timeout after {timeout:.0f} s (log {log.name})")
        except OSError as e:
            raise ToolFailed(f"{label}: cannot run {cmd[0]}: {e}")
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        log.write_text(f"$ {' '.join(cmd)}\nexit {p.returncode}, {wall:.2f} s\n--- stdout\n{p.stdout}\n--- stderr\n"
                       f"{p.stderr[-20000:]}")
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or ["?"])[-1]
            raise ToolFailed(f"{label}: exit {p.returncode}: {last[:300]} (log {log.name})")
        return p.stdout, wall, cpu

    # --- admin --------------------------------------------------------------------------------------------
    def create_topic(self, bootstrap: str, topic: str, rf: int = 1, configs: dict | None = None) -> None:
        args = ["topics", "create", topic, "-p", "1", "-r", str(rf)]
        for k, v in (configs or {}).items():
            args += ["-c", f"{k}={v}"]
        self.run(f"create-{topic}", self.gregor(bootstrap, args), 60, pin=False)

    def describe(self, bootstrap: str, topic: str) -> dict | None:
        """Partition 0 as `gregor topics describe` sees it, or {"error": stderr} when that fails."""
        try:
            out = subprocess.run(self.gregor(bootstrap, ["--format", "json", "--timeout-ms", "5000", "topics",
                                                         "describe", topic]),
                                 capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            return {"error": "describe timed out"}
        try:
            parts = json.loads(out.stdout)[0]["partitions"]
            return parts[0] if parts else {"error": "no partitions"}
        except (json.JSONDecodeError, IndexError, KeyError, TypeError):
            return {"error": (out.stderr.strip() or out.stdout.strip())[-300:]}

    def wait_isr(self, bootstrap: str, topic: str, size: int, timeout: float) -> dict:
        """Until the partition has a leader and an ISR of size; the timeout names the last state seen."""
        last = {}

        def ok():
            p = self.describe(bootstrap, topic)
            last["state"] = p
            return p if p and p.get("leader", -1) >= 0 and len(p.get("isr", [])) >= size else None
        try:
            return wait_until(ok, timeout, f"{topic} leader and ISR of {size}", 0.25)
        except TimeoutError:
            p = last.get("state") or {}
            seen = (f"error: {p['error']}" if "leader" not in p else
                    f"leader {p.get('leader')}, replicas {p.get('replicas')}, isr {p.get('isr')}")
            raise TimeoutError(f"topic {topic} (RF {size}) created but no leader with an ISR of {size} after "
                               f"{timeout:.0f} s; last describe: {seen}") from None

    # --- producers and consumers --------------------------------------------------------------------------
    def producer_perf(self, tool: str, bootstrap: str, topic: str, records: int, size: int, props: dict,
                      timeout: float) -> dict:
        """tool = 'kafka' (ProducerPerformance), 'gregor' (gregor perf produce) or 'rdkafka' (librdkafka)."""
        kv = [f"{k}={v}" for k, v in props.items()]
        args = ["--topic", topic, "--num-records", str(records), "--record-size", str(size), "--throughput", "-1"]
        if tool == "kafka":
            cmd = self.java("org.apache.kafka.tools.ProducerPerformance",
                            args + ["--producer-props", f"bootstrap.servers={bootstrap}"] + kv)
        elif tool == "rdkafka":
            cmd = [str(self.paths["rdkafka_perf"]), bootstrap, topic, str(records), str(size)] + kv
        else:
            cmd = self.gregor(bootstrap, ["perf", "produce"] + args + ["--producer-props"] + kv)
        out, wall, cpu = self.run(f"produce-{tool}-{topic}", cmd, timeout)
        r = parse_producer_line(out)
        r.update(wall_s=wall, client_cpu_s=cpu, tool=tool_name(tool, "produce"))
        return r

    def consumer_perf(self, tool: str, bootstrap: str, topic: str, messages: int, timeout: float) -> dict:
        if tool == "kafka":
            cmd = self.java("org.apache.kafka.tools.ConsumerPerformance",
                            ["--bootstrap-server", bootstrap, "--topic", topic, "--messages", str(messages),
                             "--timeout", "30000"])
        else:
            cmd = self.gregor(bootstrap, ["perf", "consume", "--topic", topic, "--messages", str(messages),
                                          "--timeout", "30000"])
        out, wall, cpu = self.run(f"consume-{tool}-{topic}", cmd, timeout)
        r = parse_consumer_csv(out)
        if r["records"] < messages:
            raise ToolFailed(f"consumer read {r['records']} of {messages} records")
        r.update(wall_s=wall, client_cpu_s=cpu, tool=tool_name(tool, "consume"))
        return r

    def e2e_latency(self, bootstrap: str, topic: str, rate: float, seconds: float, warmup: float, size: int,
                    timeout: float) -> dict:
        cmd = self.java("E2eLatency", [bootstrap, topic, f"{rate:.1f}", str(seconds), str(warmup), str(size)])
        out, wall, cpu = self.run(f"e2e-{topic}", cmd, timeout)
        r = json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1])
        r.pop("tool", None)
        r.update(wall_s=wall, client_cpu_s=cpu)
        return r

    def failover_probe(self, bootstrap: str, topic: str, out: Path, max_seconds: float) -> subprocess.Popen:
        cmd = self.java("FailoverProbe", [bootstrap, topic, "1000", str(max_seconds)])
        return subprocess.Popen(cmd, stdout=open(out, "w"), stderr=open(str(out) + ".err", "w"))


def tool_name(tool: str, kind: str) -> str:
    if tool == "rdkafka":
        return "librdkafka rdkafka-perf"
    if tool == "kafka":
        return "ProducerPerformance" if kind == "produce" else "ConsumerPerformance"
    return f"gregor perf {kind}"


TOTAL_RE = re.compile(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
                      r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th")


def parse_producer_line(out: str) -> dict:
    """The final kafka-producer-perf-test line (both tools print it)."""
    m = None
    for line in out.splitlines():
        m = TOTAL_RE.search(line) or m
    if not m:
        raise ToolFailed("no final producer line in output")
    n, rate, mb, avg, mx, p50, p95, p99, p999 = m.groups()
    return {"records": int(n), "records_per_s": float(rate), "mib_per_s": float(mb), "avg_ms": float(avg),
            "max_ms": float(mx), "p50_ms": int(p50), "p95_ms": int(p95), "p99_ms": int(p99), "p999_ms": int(p999)}


def parse_consumer_csv(out: str) -> dict:
    """The kafka-consumer-perf-test CSV row: MB.sec and nMsg.sec (they include join time; see performance.md)."""
    lines = [ln for ln in out.splitlines() if ln.count(",") >= 9 and not ln.startswith("start.time")]
    if not lines:
        raise ToolFailed("no consumer CSV row in output")
    f = [x.strip() for x in lines[-1].split(",")]
    return {"mib": float(f[2]), "mib_per_s": float(f[3]), "records": int(f[4]), "records_per_s": float(f[5]),
            "fetch_mib_per_s": float(f[8])}
