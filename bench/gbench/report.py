"""Results -> Markdown table (medians, spread, gregor/Kafka ratios, goals, % of physical limits) and a PNG chart."""
import statistics
from pathlib import Path

# (workload, label, key, goal) ; goal = (op, ratio) on gregor/Kafka medians, None = informational.
ROWS = [
    ("W1", "MiB/s", "mib_per_s", (">=", 2.0)),
    ("W1", "records/s", "records_per_s", None),
    ("W1", "ack latency p99 (ms)", "p99_ms", None),
    ("W1", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W1", "client CPU-s per GiB", "client_cpu_s_per_gib", None),
    ("W2", "records/s", "records_per_s", (">=", 2.0)),
    ("W2", "MiB/s", "mib_per_s", None),
    ("W2", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W3", "MiB/s", "mib_per_s", (">=", 1.5)),
    ("W3", "records/s", "records_per_s", None),
    ("W3", "fetch MiB/s (without group join)", "fetch_mib_per_s", None),
    ("W3", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W1-shared", "MiB/s", "mib_per_s", (">=", 2.0)),
    ("W1-shared", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W1-shared", "client CPU-s per GiB", "client_cpu_s_per_gib", None),
    ("W2-shared", "records/s", "records_per_s", (">=", 2.0)),
    ("W2-shared", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W3-shared", "MiB/s", "mib_per_s", (">=", 1.5)),
    ("W3-shared", "broker CPU-s per GiB", "broker_cpu_s_per_gib", None),
    ("W4", "e2e p50 (ms)", "p50_ms", None),
    ("W4", "e2e p99 (ms)", "p99_ms", ("<=", 0.3)),
    ("W4", "e2e p99.9 (ms)", "p999_ms", None),
    ("W4", "achieved send rate (rec/s)", "achieved_send_rate", None),
    ("W4-shared", "e2e p50 (ms)", "p50_ms", None),
    ("W4-shared", "e2e p99 (ms)", "p99_ms", ("<=", 0.3)),
    ("W4-shared", "e2e p99.9 (ms)", "p999_ms", None),
    ("W4-shared", "achieved send rate (rec/s)", "achieved_send_rate", None),
    ("W5", "MiB/s", "mib_per_s", (">=", 1.5)),
    ("W5", "ack latency p99 (ms)", "p99_ms", None),
    ("W5", "broker CPU-s per GiB (3 brokers)", "broker_cpu_s_per_gib", None),
    ("rss_idle", "RSS idle (MiB)", "value", ("<=", 0.1)),
    ("rss_w1", "RSS peak under W1 (MiB)", "value", None),
    ("startup", "start-up to first answered request (s)", "value", ("<=", 0.1)),
    ("failover", "kill -9 leader to first acked produce (s)", "value", ("<=", 1.0)),
    ("failover", "records failed during failover (acks=all)", "send_errors", None),
    ("failover_6s", "kill -9 leader to first acked produce (s)", "value", ("<=", 1.0)),
    ("failover_6s", "records failed during failover (acks=all)", "send_errors", None),
]
LIMIT_SHORT = {"loopback_tcp_mib_s": "loopback TCP", "loopback_tcp_split_mib_s": "loopback TCP (pinned as W1-W4)",
               "disk_write_fdatasync_mib_s": "dd fdatasync write", "page_cache_read_mib_s": "page-cache read"}
TITLES = {"W1": "W1 produce 1 KiB, RF1, acks=1", "W2": "W2 produce 100 B, RF1, acks=1",
          "W3": "W3 consume 1 partition from page cache", "W4": "W4 end-to-end latency, open loop",
          "W1-shared": "W1 with nothing pinned (broker and tool share both cores)",
          "W2-shared": "W2 with nothing pinned", "W3-shared": "W3 with nothing pinned",
          "W4-shared": "W4 with nothing pinned (the Java E2eLatency tool may use both cores)",
          "W5": "W5 produce 1 KiB, RF3, acks=all, min.insync.replicas=2", "rss_idle": "Memory",
          "rss_w1": "Memory", "startup": "Start-up", "failover": "Failover (RF3 cluster)",
          "failover_6s": "Failover, both with zookeeper.session.timeout.ms=6000"}


def client_check(points) -> list[str]:
    """gregor perf produce beside librdkafka, both against the same broker in the same run (issue 7's goal)."""
    out = []
    for wl in ("W1", "W2"):
        for system in ("gregor", "kafka"):
            ours = values(points, wl, system, "gregor perf produce", "records_per_s")
            theirs = values(points, wl, system, "librdkafka rdkafka-perf", "records_per_s")
            if ours and theirs:
                ratio = statistics.median(ours) / statistics.median(theirs)
                out.append(f"| {TITLES.get(wl, wl)} | {system} | {cell(ours, None)} | {cell(theirs, None)} | "
                           f"{ratio:.2f}× | {'yes' if ratio >= 1.0 else 'no'} |")
    if not out:
        return []
    return ["", "## Client check: gregor perf produce beside librdkafka (same broker, same settings)", "",
            "| Workload | broker | gregor perf records/s | librdkafka records/s | ratio | >= 1.0× |",
            "|---|---|---|---|---|---|"] + out


def values(points, wl, system, tool, key):
    return [p[key] for p in points if p["workload"] == wl and p["system"] == system and p["tool"] == tool
            and p.get(key) is not None and "na" not in p]


def na_reason(points, wl, system, tool):
    reasons = [p["na"] for p in points if p["workload"] == wl and p["system"] == system and p["tool"] == tool
               and "na" in p]
    return reasons[0] if reasons else None


def fmt(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


NOTES: list[str] = []  # n/a reasons of the table being written, shown once below it


def cell(vals, reason) -> str:
    if not vals:
        if not reason:
            return "n/a"
        if reason not in NOTES:
            NOTES.append(reason)
        return f"n/a [{NOTES.index(reason) + 1}]"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med)
    return f"{fmt(med)} [{fmt(min(vals))}–{fmt(max(vals))}]"


def limit_text(res: dict, wl: str, key: str, gregor_med: float | None) -> str:
    lim = res.get("limits", {})
    if gregor_med is None or key != "mib_per_s":
        return ""
    def pct(name):
        v = lim.get(name)
        return f"{100 * gregor_med / statistics.median(v):.0f}% of {LIMIT_SHORT[name]}" if v else ""
    if wl in ("W1", "W2"):
        return ", ".join(x for x in (pct("loopback_tcp_split_mib_s"), pct("disk_write_fdatasync_mib_s")) if x)
    if wl == "W3":
        return ", ".join(x for x in (pct("loopback_tcp_split_mib_s"), pct("page_cache_read_mib_s")) if x)
    if wl in ("W1-shared", "W2-shared"):
        return ", ".join(x for x in (pct("loopback_tcp_mib_s"), pct("disk_write_fdatasync_mib_s")) if x)
    if wl == "W3-shared":
        return ", ".join(x for x in (pct("loopback_tcp_mib_s"), pct("page_cache_read_mib_s")) if x)
    if wl == "W5":
        return ", ".join(x for x in (pct("loopback_tcp_mib_s"), pct("disk_write_fdatasync_mib_s")) if x)
    return ""


def table_rows(res: dict):
    pts = res["points"]
    for wl, label, key, goal in ROWS:
        tools = sorted({p["tool"] for p in pts if p["workload"] == wl})
        for tool in tools:
            g, k = values(pts, wl, "gregor", tool, key), values(pts, wl, "kafka", tool, key)
            gr, kr = na_reason(pts, wl, "gregor", tool), na_reason(pts, wl, "kafka", tool)
            if not g and not k and not gr and not kr:
                continue
            ratio = statistics.median(g) / statistics.median(k) if g and k and statistics.median(k) else None
            met = ""
            if goal and ratio is not None:
                met = "yes" if (ratio >= goal[1] if goal[0] == ">=" else ratio <= goal[1]) else "no"
            yield {"workload": wl, "label": label, "key": key, "tool": tool, "gregor": g, "kafka": k,
                   "gregor_na": gr, "kafka_na": kr, "ratio": ratio, "goal": goal, "met": met,
                   "limit": limit_text(res, wl, key, statistics.median(g) if g else None)}


def write(res: dict, md_path: Path, png_path: Path) -> None:
    NOTES.clear()
    rows = list(table_rows(res))
    lim = res.get("limits", {})
    m = res["machine"]
    lines = [f"# gregor beside Apache Kafka {res['kafka_version']} — {res['date']} ({res['mode']} run)", ""]
    # Only the load before the run says whether something else was running: at the end the 1-minute
    # average still holds the benchmark's own last minutes (three brokers and a load tool on 2 vCPUs).
    loads = [float(m[k].split()[0]) for k in ("loadavg_start", "loadavg_end") if m.get(k)]
    if loads and loads[0] > 1.0:
        lines += [f"**Provisional: the machine was loaded** (1-minute load average {loads[0]:.1f} at the start, "
                  f"{loads[-1]:.1f} at the end, on {m['vcpus']} vCPUs; other engineers were compiling and testing). "
                  "Absolute figures are depressed and noisy; read the ratios and CPU-s per GiB, and rerun on an idle "
                  "machine before drawing conclusions.", ""]
    if res.get("interrupted"):
        lines += [f"**Incomplete run** ({res['interrupted']}): only the points below were measured.", ""]
    if res["mode"] == "quick":
        lines += ["**Quick run**: one repetition, small sizes (W1/W3 use "
                  f"{res['config']['w1_records']:,} records, not 1 GiB). Smoke numbers, not results.", ""]
    lines += [f"Machine: {m['host']}, {m['cpu']}, {m['vcpus']} vCPUs, {m['mem_gib']} GiB, kernel {m['kernel']}; "
              f"disk `{m['disk']}`.",
              f"Load (`uptime`): `{m['uptime_start']}` at start, `{m.get('uptime_end', '?')}` at end.",
              f"gregor commit {res['gregor_commit']} (build `{res['gregor_build']}`), defaults (no fsync per write). "
              f"Kafka {res['kafka_version']} ZooKeeper mode, JVM `{' '.join(res['kafka_jvm'])}` (kafka-server-start.sh "
              "defaults), no fsync per write (Kafka default).",
              f"Placement: {res['placement']}.",
              f"Producer settings: {res['producer_props']}. W4 target rate: "
              f"{res.get('w4_rate', 0):,.0f} records/s (50% of Kafka's best W1 records/s).",
              f"ZooKeeper (shared by both systems, not counted in the Kafka RSS figures) RSS: "
              f"{res.get('zookeeper_rss_mib', 0):.0f} MiB at the end of the run.",
              f"Duration {res.get('duration_s', 0):.0f} s. Each cell: median [min–max] over repetitions.", ""]
    lines += ["## Physical limits (same run, MiB/s)", "", "| Limit | median [min–max] |", "|---|---|"]
    names = {"loopback_tcp_mib_s": "loopback TCP, iperf3 1 stream, unpinned",
             "loopback_tcp_split_mib_s": f"loopback TCP, iperf3 1 stream, server cpu {res['config']['broker_cpus']} / "
                                         f"client cpu {res['config']['client_cpus']} (the benchmark's placement)",
             "disk_write_fdatasync_mib_s": f"dd write {res['config']['dd_mib']} MiB conv=fdatasync, broker data disk",
             "page_cache_read_mib_s": "dd read of that file from the page cache"}
    for k, v in lim.items():
        lines.append(f"| {names.get(k, k)} | {cell(v, None)} |")
    lines += ["", "## Results", "",
              "Ratios are gregor/Kafka medians; the goal column says which side of the ratio is a win.", "",
              "| Workload | Metric | Tool | gregor | Kafka | gregor/Kafka | goal | met | gregor vs limit |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        goal = f"{r['goal'][0]} {r['goal'][1]}×" if r["goal"] else ""
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "n/a"
        lines.append(f"| {TITLES.get(r['workload'], r['workload'])} | {r['label']} | {r['tool']} | "
                     f"{cell(r['gregor'], r['gregor_na'])} | {cell(r['kafka'], r['kafka_na'])} | {ratio} | {goal} | "
                     f"{r['met']} | {r['limit']} |")
    lines += [""] + [f"[{i}] n/a: {reason}" + "  " for i, reason in enumerate(NOTES, 1)]
    lines += client_check(res.get("points", []))
    lines += ["", f"Chart: `{png_path.name}`. Raw points: `{md_path.with_suffix('.json').name}`; tool output lines "
              "(Kafka's perf-test format) in bench/results/tmp/ (not committed).", ""]
    md_path.write_text("\n".join(lines))
    try:
        chart(res, rows, png_path)
    except Exception as e:  # noqa: BLE001 - a chart problem must not lose the table; say so in it
        md_path.write_text(md_path.read_text() + f"\n(no chart: {type(e).__name__}: {e})\n")


def chart(res: dict, rows: list, png_path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(18, 6))
    # Panel 1: throughput per workload and tool, with the physical limit beside it.
    limit_for = {"W1": "loopback_tcp_split_mib_s", "W2": "loopback_tcp_split_mib_s", "W3": "loopback_tcp_split_mib_s",
                 "W5": "loopback_tcp_mib_s", "W1-shared": "loopback_tcp_mib_s", "W3-shared": "loopback_tcp_mib_s"}
    thr = [r for r in rows if r["key"] == "mib_per_s" and r["workload"] in limit_for]
    lim = res.get("limits", {})
    ax = axes[0]
    labels = [f"{r['workload']}\n{short(r['tool'])}" for r in thr]
    for i, r in enumerate(thr):
        for j, (sys_, color) in enumerate((("gregor", "tab:green"), ("kafka", "tab:blue"))):
            v = r[sys_]
            if v:
                med = statistics.median(v)
                ax.bar(i + (j - 1) * 0.27, med, 0.27, color=color, yerr=[[med - min(v)], [max(v) - med]],
                       capsize=3, label=sys_ if i == 0 else None)
        lv = lim.get(limit_for[r["workload"]])
        if lv:
            ax.bar(i + 0.27, statistics.median(lv), 0.27, color="tab:gray", label="loopback limit" if i == 0 else None)
    ax.set_xticks(range(len(thr)), labels, fontsize=7)
    log_if_positive(ax)
    ax.set_ylabel("MiB/s (log)")
    ax.set_title("Throughput: gregor vs Kafka vs loopback TCP limit")
    legend(ax)
    # Panel 2: W4 latency percentiles.
    ax = axes[1]
    pcts = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]
    for j, (sys_, color) in enumerate((("gregor", "tab:green"), ("kafka", "tab:blue"))):
        meds = []
        for key, _ in pcts:
            v = [p[key] for p in res["points"] if p["workload"] == "W4" and p["system"] == sys_ and key in p]
            meds.append(statistics.median(v) if v else float("nan"))
        ax.bar([i + (j - 0.5) * 0.35 for i in range(len(pcts))], meds, 0.35, color=color, label=sys_)
    ax.set_xticks(range(len(pcts)), [n for _, n in pcts])
    log_if_positive(ax)
    ax.set_ylabel("ms (log)")
    ax.set_title(f"W4 end-to-end latency at {res.get('w4_rate', 0):,.0f} rec/s")
    legend(ax)
    # Panel 3: gregor/Kafka ratio against the goal per goal row.
    ax = axes[2]
    goals = [r for r in rows if r["goal"] and r["ratio"] is not None]
    for i, r in enumerate(goals):
        good = r["met"] == "yes"
        ax.bar(i, r["ratio"], 0.6, color="tab:green" if good else "tab:red")
        ax.plot([i - 0.3, i + 0.3], [r["goal"][1]] * 2, color="black")
    ax.axhline(1.0, color="gray", linestyle=":")
    ax.set_xticks(range(len(goals)), [f"{r['workload']} {r['label'][:14]}\n{short(r['tool'])}" for r in goals],
                  fontsize=6, rotation=30)
    log_if_positive(ax)
    ax.set_title("gregor/Kafka ratio (black: goal; green = met)")
    fig.suptitle(f"gregor vs Kafka {res['kafka_version']} — {res['date']} ({res['mode']}, 1-minute load average "
                 f"at the start: {res['machine']['loadavg_start'].split()[0]})")
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)


def log_if_positive(ax) -> None:
    """Log scale only when the panel has positive data (an all-n/a panel stays linear and empty)."""
    heights = [p.get_height() for p in ax.patches if p.get_height() == p.get_height()]
    if any(h > 0 for h in heights):
        ax.set_yscale("log")


def short(tool: str) -> str:
    """Axis label for a load tool."""
    if tool.startswith(("ProducerPerf", "ConsumerPerf")):
        return "Kafka tool"
    if tool.startswith("gregor perf"):
        return "gregor perf"
    return tool.split(" ")[0]  # librdkafka, E2eLatency, ...


def legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
