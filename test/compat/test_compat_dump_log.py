"""On-disk format cross-check with Apache Kafka 3.9 itself: Kafka's kafka.tools.DumpLogSegments reads the
segments gregor wrote, and `gregor dump-log` reads the segments Kafka wrote; on the same file both tools must
print the same batches and records (and DumpLogSegments must find gregor's indexes sane)."""
import re
import subprocess
from pathlib import Path

import pytest
from confluent_kafka import Producer

from harness.broker import GregorBroker, KafkaBroker
from harness.paths import KAFKA_LIBS, build_dir
from harness.wait import wait_until
from harness.zookeeper import ZooKeeper

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def kafka_dump(files: list[Path], *flags: str) -> str:
    cmd = ["java", "-Xmx256m", "-cp", f"{KAFKA_LIBS}/*", "kafka.tools.DumpLogSegments", "--files",
           ",".join(str(f) for f in files), *flags]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


def gregor_dump(files: list[Path], *flags: str) -> str:
    cmd = [str(build_dir() / "client" / "cli" / "gregor"), "dump-log", *[str(f) for f in files], *flags]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout


def batch_and_record_lines(text: str) -> list[str]:
    """The lines both tools print per batch and record; file headers and paths dropped."""
    keep = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("baseOffset:") or line.startswith("| offset:"):
            keep.append(re.sub(r"\s+", " ", line))
    return keep


def produce_mixed(bootstrap: str, topic: str) -> int:
    """Keyed and unkeyed records with headers, one batch per codec; returns the record count."""
    n = 0
    for codec in CODECS:
        p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 20,
                      "enable.idempotence": codec != "none", "acks": "all"})
        for i in range(25):
            key = f"key-{i % 5}".encode() if i % 3 else None
            headers = [("h", f"{codec}-{i}".encode())] if i % 2 else None
            p.produce(topic, value=f"{codec} value {i} ".encode() * (1 + i % 4), key=key, headers=headers,
                      partition=0)
            n += 1
        assert p.flush(30) == 0
    return n


@pytest.fixture
def zk(tmp_path):
    z = ZooKeeper(tmp_path)
    z.start()
    yield z
    z.stop()


def segments_of(broker, topic: str) -> list[Path]:
    return sorted(broker.partition_dir(topic, 0).glob("*.log"))


@pytest.mark.parametrize("writer", ["gregor", "kafka"])
def test_both_tools_print_the_same_records(zk, tmp_path, writer):
    if not KAFKA_LIBS.is_dir():
        pytest.fail(f"{KAFKA_LIBS} missing: run test/compat/install.sh --kafka")
    cls = GregorBroker if writer == "gregor" else KafkaBroker
    broker = cls(zk, 1, tmp_path, extra_props={"log.index.interval.bytes": "512"})
    broker.start()
    try:
        n = produce_mixed(broker.bootstrap, "dump")
        # Segments are read from the page cache while the broker runs; stop it so indexes are trimmed too.
        wait_until(lambda: segments_of(broker, "dump"), 10, "segment file")
    finally:
        broker.stop()
    logs = segments_of(broker, "dump")
    theirs = batch_and_record_lines(kafka_dump(logs, "--print-data-log", "--deep-iteration"))
    ours = batch_and_record_lines(gregor_dump(logs, "--print-records"))
    assert sum(1 for line in theirs if line.startswith("| offset:")) == n
    diffs = [f"kafka : {a}\ngregor: {b}" for a, b in zip(theirs, ours) if a != b]
    assert ours == theirs, f"{len(ours)} vs {len(theirs)} lines; " + "\n".join(diffs[:20])
    assert "crcValid: false" not in " ".join(theirs)
    # Kafka checks the written offset and time indexes against the log.
    indexes = sorted(broker.partition_dir("dump", 0).glob("*.index")) + \
        sorted(broker.partition_dir("dump", 0).glob("*.timeindex"))
    check = kafka_dump(indexes, "--index-sanity-check")
    assert check.count("passed sanity check") == len(indexes), check
    verify = kafka_dump(indexes, "--verify-index-only")
    assert "Mismatches" not in verify and "does not match" not in verify, verify
