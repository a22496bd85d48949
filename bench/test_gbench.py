"""Checks of the harness's parsers and report (run: .venv/bin/python -m pytest bench/test_gbench.py -q)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gbench import report  # noqa: E402
from gbench.tools import ToolFailed, parse_consumer_csv, parse_producer_line  # noqa: E402
from gbench.workloads import first_ack_after  # noqa: E402

import pytest  # noqa: E402

# Verbatim lines of Kafka 3.9.1's ProducerPerformance and ConsumerPerformance from a run of this harness.
PRODUCER_OUT = """87285 records sent, 17453.5 records/sec (17.04 MB/sec), 1201.3 ms avg latency, 5012.0 ms max latency.
1048576 records sent, 17448.348773 records/sec (17.04 MB/sec), 1581.50 ms avg latency, 6697.00 ms max latency, 1021 ms 50th, 4864 ms 95th, 5759 ms 99th, 6519 ms 99.9th.
"""
CONSUMER_OUT = """start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-11-25 17:15:30:123, 2026-11-25 17:15:36:456, 58.5938, 9.2521, 60000, 9474.1000, 3012, 3321, 17.6434, 18066.8473
"""


def test_producer_final_line_is_parsed_not_the_window_line():
    r = parse_producer_line(PRODUCER_OUT)
    assert r["records"] == 1048576
    assert r["mib_per_s"] == pytest.approx(17.04)
    assert (r["p50_ms"], r["p99_ms"], r["p999_ms"]) == (1021, 5759, 6519)


def test_producer_without_final_line_fails():
    with pytest.raises(ToolFailed):
        parse_producer_line(PRODUCER_OUT.splitlines()[0])


def test_consumer_csv_row():
    r = parse_consumer_csv(CONSUMER_OUT)
    assert r["records"] == 60000
    assert r["mib_per_s"] == pytest.approx(9.2521)
    assert r["fetch_mib_per_s"] == pytest.approx(17.6434)


def test_failover_counts_only_records_sent_after_the_kill(tmp_path):
    log = tmp_path / "probe.log"
    # sent before the kill (t=1000) but acknowledged after it: a retried record, ignored
    log.write_text("ACK 990 995\nACK 999 1003\nERR 1001 1500 TimeoutException\nACK 1002 19500\nACK 1010 19400\n")
    assert first_ack_after(log, 1000) == 19400


def test_report_ratios_goals_and_na(tmp_path):
    def pt(wl, system, tool, rep, **kv):
        return dict(workload=wl, system=system, tool=tool, rep=rep, **kv)
    res = {"mode": "full", "date": "2026-01-01T00:00:00+00:00", "kafka_version": "3.9.1", "kafka_jvm": ["-Xmx1G"],
           "gregor_commit": "abc", "gregor_build": "build", "placement": "p", "producer_props": {},
           "config": {"w1_records": 10, "broker_cpus": "0", "client_cpus": "1", "dd_mib": 1},
           "machine": {"host": "h", "cpu": "c", "vcpus": 2, "mem_gib": 1, "kernel": "k", "disk": "d",
                       "uptime_start": "u", "loadavg_start": "0.1 0 0"},
           "limits": {"loopback_tcp_split_mib_s": [1000.0, 1000.0, 1000.0]},
           "points": [pt("W1", s, "ProducerPerformance", r, mib_per_s=v) for s, vals in
                      (("gregor", (200, 210, 190)), ("kafka", (100, 90, 110))) for r, v in zip((1, 2, 3), vals)] +
                     [pt("W5", "gregor", "ProducerPerformance", 1, na="RF 3 not ready"),
                      pt("W5", "kafka", "ProducerPerformance", 1, mib_per_s=50.0)]}
    md, png = tmp_path / "r.md", tmp_path / "r.png"
    report.write(res, md, png)
    text = md.read_text()
    w1 = next(ln for ln in text.splitlines() if ln.startswith("| W1") and "| MiB/s |" in ln)
    assert "200 [190–210]" in w1 and "100 [90.0–110]" in w1 and "2.00×" in w1 and "| yes |" in w1
    assert "20% of loopback TCP (pinned as W1-W4)" in w1
    w5 = next(ln for ln in text.splitlines() if ln.startswith("| W5") and "| MiB/s |" in ln)
    assert "n/a [1]" in w5 and "[1] n/a: RF 3 not ready" in text
    assert png.stat().st_size > 10000
    json.dumps(res)  # the results stay serialisable


def test_report_shows_the_unpinned_placement_against_the_unpinned_limit(tmp_path):
    def pt(wl, system, rep, v):
        return dict(workload=wl, system=system, tool="ProducerPerformance", rep=rep, mib_per_s=v)
    res = {"mode": "full", "date": "2026-01-01T00:00:00+00:00", "kafka_version": "3.9.1", "kafka_jvm": ["-Xmx1G"],
           "gregor_commit": "abc", "gregor_build": "build", "placement": "p", "producer_props": {},
           "config": {"w1_records": 10, "broker_cpus": "0", "client_cpus": "1", "dd_mib": 1},
           "machine": {"host": "h", "cpu": "c", "vcpus": 2, "mem_gib": 1, "kernel": "k", "disk": "d",
                       "uptime_start": "u", "loadavg_start": "0.1 0 0"},
           "limits": {"loopback_tcp_split_mib_s": [1000.0], "loopback_tcp_mib_s": [2000.0]},
           "points": [pt("W1", "gregor", 1, 100.0), pt("W1", "kafka", 1, 80.0),
                      pt("W1-shared", "gregor", 1, 300.0), pt("W1-shared", "kafka", 1, 120.0)]}
    md, png = tmp_path / "r.md", tmp_path / "r.png"
    report.write(res, md, png)
    lines = md.read_text().splitlines()
    pinned = next(ln for ln in lines if ln.startswith("| W1 produce") and "| MiB/s |" in ln)
    shared = next(ln for ln in lines if ln.startswith("| W1 with nothing pinned") and "| MiB/s |" in ln)
    assert "1.25×" in pinned and "| no |" in pinned
    assert "2.50×" in shared and "| yes |" in shared and "15% of loopback TCP |" in shared
