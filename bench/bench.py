#!/usr/bin/env python3
"""gregor beside Apache Kafka 3.9 on this machine: limits, W1-W5, memory, start-up, failover; writes bench/results/."""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gbench import limits, report  # noqa: E402
from gbench.systems import JVM_PERFORMANCE_OPTS, KAFKA_HEAP_OPTS, ZooKeeper  # noqa: E402
from gbench.tools import Tools  # noqa: E402
from gbench.workloads import W1_PROPS, W5_PROPS, Runner  # noqa: E402

FULL = dict(reps=3, w1_records=1048576, w2_records=5_000_000, w4_seconds=30, w4_warmup=10, w5_records=200_000,
            idle_seconds=30, limits_reps=3, iperf_seconds=5, dd_mib=1024, failover=True, tool_timeout=600, isr_timeout=60)
QUICK = dict(reps=1, w1_records=60_000, w2_records=200_000, w4_seconds=3, w4_warmup=1, w5_records=20_000,
             idle_seconds=1, limits_reps=1, iperf_seconds=1, dd_mib=128, failover=True, tool_timeout=120, isr_timeout=20)
BROKER_CPUS, CLIENT_CPUS = "0", "1"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(cmd: str) -> str:
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def machine() -> dict:
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
    return {"host": socket.gethostname(), "cpu": cpu, "vcpus": os.cpu_count(), "kernel": platform.release(),
            "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "disk": sh("df -hT /work | tail -1"), "loadavg_start": sh("cat /proc/loadavg"),
            "uptime_start": sh("uptime")}


def buildtype(build: Path) -> str:
    try:
        opts = json.loads((build / "meson-info/intro-buildoptions.json").read_text())
        return "buildtype=" + next(o["value"] for o in opts if o["name"] == "buildtype")
    except (OSError, ValueError, StopIteration):
        return "buildtype unknown"


def parts(text: str) -> set[str]:
    """--only's value: a comma-separated subset of the benchmark's parts."""
    chosen = {p.strip() for p in text.split(",") if p.strip()}
    unknown = chosen - {"single", "shared", "replicated"}
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"unknown part(s) {sorted(unknown)}: use single, shared, replicated")
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="short run (about 3 minutes), 1 repetition, small sizes")
    ap.add_argument("--reps", type=int, help="repetitions per point (default 3, --quick 1)")
    ap.add_argument("--only", type=parts, metavar="PART[,PART]",
                    help="run these parts only: single (pinned W1-W4, memory, start-up), shared (W1-W3 unpinned), "
                         "replicated (W5, failover)")
    ap.add_argument("--no-failover", action="store_true")
    ap.add_argument("--profile", action="store_true", help="perf record the gregor broker during W1/W2/W3 "
                    "(reports in the log directory; perturbs gregor's figures)")
    ap.add_argument("--out", default=None, help="results directory (default bench/results)")
    ap.add_argument("--report-only", metavar="JSON", help="rewrite the .md and .png of an earlier run from its .json")
    a = ap.parse_args()
    if a.report_only:
        src = Path(a.report_only)
        report.write(json.loads(src.read_text()), src.with_suffix(".md"), src.with_suffix(".png"))
        log(f"rewrote {src.with_suffix('.md')} and .png")
        return 0
    repo = Path(__file__).resolve().parents[1]
    cfg = dict(QUICK if a.quick else FULL, broker_cpus=BROKER_CPUS, client_cpus=CLIENT_CPUS)
    if a.reps:
        cfg["reps"] = a.reps
    if a.no_failover:
        cfg["failover"] = False
    cfg["profile"] = a.profile
    build = Path(os.environ.get("GREGOR_BUILD_DIR", repo / "build"))
    paths = {"gregor_broker": build / "broker/gregor-broker", "gregor_cli": build / "client/cli/gregor",
             "kafka_libs": repo / ".state/kafka-3.9/libs", "tools_libs": repo / ".state/bench/kafka-tools-libs",
             "bench_classes": repo / ".state/bench/classes", "rdkafka_perf": repo / ".state/bench/rdkafka-perf"}
    for k, p in paths.items():
        if not p.exists():
            log(f"missing {k}: {p}")
            return 2
    # Snapshot the gregor binaries: the build directory may be rebuilt while a long run is going on.
    snap = repo / ".state/bench/bin"
    snap.mkdir(parents=True, exist_ok=True)
    for k in ("gregor_broker", "gregor_cli"):
        shutil.copy2(paths[k], snap / paths[k].name)
        paths[k] = snap / paths[k].name
    stamp = datetime.datetime.now(datetime.timezone.utc)
    out_dir = Path(a.out) if a.out else repo / "bench/results"
    base = f"{stamp:%Y-%m-%d-%H%M}-{socket.gethostname()}{'-quick' if a.quick else ''}"
    work = repo / ".state/bench/run"  # same disk as the repository (and /tmp on this machine)
    shutil.rmtree(work, ignore_errors=True)
    logdir = out_dir / "tmp" / base  # per-tool logs (bench/results/tmp is git-ignored)
    logdir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def interrupted(signum, _frame):  # SIGTERM: unwind, so brokers are stopped and partial results written
        raise SystemExit(f"interrupted by signal {signum}")
    signal.signal(signal.SIGTERM, interrupted)
    results = {"mode": "quick" if a.quick else "full", "date": stamp.isoformat(timespec="seconds"),
               "machine": machine(), "config": cfg, "points": [],
               "gregor_commit": sh(f"git -C {repo} rev-parse --short HEAD"),
               "gregor_build": f"{build} ({buildtype(build)}, binaries copied at start)", "kafka_version": "3.9.1",
               "kafka_jvm": KAFKA_HEAP_OPTS + JVM_PERFORMANCE_OPTS,
               "placement": f"single-broker workloads: broker taskset -c {BROKER_CPUS}, load tool taskset -c "
                            f"{CLIENT_CPUS}; ZooKeeper unpinned; W1-W3-shared, W5, failover: nothing pinned",
               "producer_props": {"W1/W2": W1_PROPS, "W5": W5_PROPS,
                                  "W4": {"acks": "1", "linger.ms": "0", "batch.size": "16384",
                                         "enable.idempotence": "false"}}}
    work.mkdir(parents=True)
    log(f"{results['mode']} run, results {out_dir}/{base}.md; logs {logdir}")
    log("limits: iperf3 loopback, dd")
    results["limits"] = limits.measure(work, cfg["limits_reps"], cfg["iperf_seconds"], cfg["dd_mib"], BROKER_CPUS,
                                       CLIENT_CPUS)
    log(f"  {results['limits']}")
    zk = ZooKeeper(work, paths["kafka_libs"])
    tools = Tools(paths, logdir, CLIENT_CPUS)
    runner = Runner(cfg, paths, work, zk, tools, results, log)
    try:
        for rep in range(1, cfg["reps"] + 1):
            if a.only is None or "single" in a.only:
                for system in ("kafka", "gregor"):  # Kafka first: W4's rate comes from Kafka's W1
                    runner.single(system, rep)
        for rep in range(1, cfg["reps"] + 1):
            # Full runs only: --quick stays within its 3 minutes.
            if (a.only is None and not a.quick) or (a.only and "shared" in a.only):
                for system in ("kafka", "gregor"):
                    runner.shared(system, rep)
        for rep in range(1, cfg["reps"] + 1):
            if a.only is None or "replicated" in a.only:
                for system in ("kafka", "gregor"):
                    runner.replicated(system, rep)
                    if cfg["failover"] and not a.quick:
                        runner.failover_equal_short_timeout(system, rep)
    except (SystemExit, KeyboardInterrupt) as e:
        results["interrupted"] = str(e) or "interrupted"
        log(f"stopping: {results['interrupted']}")
    finally:
        results["zookeeper_rss_mib"] = zk.proc.rss_mib()
        zk.stop()
        results["machine"]["loadavg_end"] = sh("cat /proc/loadavg")
        results["machine"]["uptime_end"] = sh("uptime")
        results["duration_s"] = time.monotonic() - t0
        shutil.rmtree(work, ignore_errors=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{base}.json").write_text(json.dumps(results, indent=1))
        report.write(results, out_dir / f"{base}.md", out_dir / f"{base}.png")
        log(f"wrote {out_dir}/{base}.md, .json, .png in {results['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
