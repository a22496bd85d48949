"""`gregor produce|consume|perf` against a real broker, cross-checked with confluent-kafka and kafka-python."""
import json
import re

import pytest

from harness.segments import partition_batches
from test_cli_support import gregor, producer_fields


def consume_json(bs: str, topic: str, *extra: str) -> list[dict]:
    out = gregor(bs, "--format", "json", "consume", topic, "-b", "-e", *extra).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_round_trip_with_keys_and_headers(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "rt", "-p", "3")
    lines = [f"key-{i}:value {i}: with colon" for i in range(30)] + ["no separator here"]
    gregor(bs, "produce", "rt", "-K", ":", "-H", "source=cli", "-H", "n=1", input="\n".join(lines) + "\n")
    records = consume_json(bs, "rt")
    assert len(records) == 31
    got = {(r["key"], r["value"]) for r in records}
    want = {(f"key-{i}", f"value {i}: with colon") for i in range(30)} | {(None, "no separator here")}
    assert got == want
    for r in records:
        assert r["headers"] == [{"key": "source", "value": "cli"}, {"key": "n", "value": "1"}]
    # Offsets per partition are dense from 0, in produce order.
    by_part = {}
    for r in records:
        by_part.setdefault(r["partition"], []).append(r["offset"])
    for offsets in by_part.values():
        assert offsets == list(range(len(offsets)))
    # Template output.
    out = gregor(bs, "consume", "rt", "-b", "-e", "-p", "0", "-F", "{partition}|{offset}|{key}|{value}").stdout
    assert out.splitlines() == [f"0|{r['offset']}|{r['key'] or ''}|{r['value']}"
                                for r in records if r["partition"] == 0]


def test_records_read_identically_by_confluent_kafka(module_broker):
    confluent_kafka = pytest.importorskip("confluent_kafka")
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "xcheck", "-p", "2")
    lines = [f"k{i}\tv{i}" for i in range(20)]
    gregor(bs, "produce", "xcheck", "-K", "\t", "-H", "h=x", "-z", "lz4", input="\n".join(lines) + "\n")
    ours = sorted((r["partition"], r["offset"], r["key"], r["value"]) for r in consume_json(bs, "xcheck"))

    c = confluent_kafka.Consumer({"bootstrap.servers": bs, "group.id": "unused", "enable.auto.commit": False})
    try:
        c.assign([confluent_kafka.TopicPartition("xcheck", p, confluent_kafka.OFFSET_BEGINNING) for p in (0, 1)])
        theirs = []
        for _ in range(200):
            m = c.poll(0.5)
            if m is not None and not m.error():
                assert m.headers() == [("h", b"x")]
                theirs.append((m.partition(), m.offset(), m.key().decode(), m.value().decode()))
            if len(theirs) == 20:
                break
    finally:
        c.close()
    assert sorted(theirs) == ours


def test_gregor_reads_what_kafka_python_and_confluent_wrote(module_broker):
    kafka = pytest.importorskip("kafka")
    confluent_kafka = pytest.importorskip("confluent_kafka")
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "foreign", "-p", "1")
    kp = kafka.KafkaProducer(bootstrap_servers=bs, compression_type="gzip")
    for i in range(5):
        kp.send("foreign", key=f"kp{i}".encode(), value=f"kafka-python {i}".encode(), partition=0,
                headers=[("from", b"kp")])
    kp.flush()
    kp.close()
    cp = confluent_kafka.Producer({"bootstrap.servers": bs, "compression.codec": "zstd"})
    for i in range(5):
        cp.produce("foreign", key=f"cp{i}", value=f"confluent {i}", partition=0, headers=[("from", b"cp")])
    assert cp.flush(30) == 0
    records = consume_json(bs, "foreign")
    assert [(r["key"], r["value"], r["headers"][0]["value"]) for r in records] == \
        [(f"kp{i}", f"kafka-python {i}", "kp") for i in range(5)] + \
        [(f"cp{i}", f"confluent {i}", "cp") for i in range(5)]


def test_key_to_partition_matches_the_java_partitioner(module_broker):
    kafka = pytest.importorskip("kafka")  # kafka-python's DefaultPartitioner is Java's murmur2
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "keys-java", "-p", "7")
    gregor(bs, "topics", "create", "keys-gregor", "-p", "7")
    keys = [f"user-{i}" for i in range(60)] + ["", "a", "hello", "key1"]
    kp = kafka.KafkaProducer(bootstrap_servers=bs)
    for k in keys:
        kp.send("keys-java", key=k.encode(), value=b"x")
    kp.flush()
    kp.close()
    gregor(bs, "produce", "keys-gregor", "-K", "=", input="".join(f"{k}=x\n" for k in keys))
    java = {r["key"]: r["partition"] for r in consume_json(bs, "keys-java")}
    ours = {r["key"]: r["partition"] for r in consume_json(bs, "keys-gregor")}
    assert len(ours) == len(keys)
    assert ours == java
    assert len(set(ours.values())) > 1


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_compression_reaches_the_log(module_broker, codec):
    bs = module_broker.bootstrap
    topic = f"codec-{codec}"
    gregor(bs, "topics", "create", topic, "-p", "1")
    values = [f"{codec} record {i} " + "x" * 50 for i in range(200)]
    gregor(bs, "produce", topic, "-z", codec, input="\n".join(values) + "\n")
    batches = partition_batches(module_broker.log_dir, topic)
    assert batches and all(b.codec == codec for b in batches)
    assert sum(b.record_count for b in batches) == 200
    assert [r["value"] for r in consume_json(bs, topic)] == values


def test_idempotent_by_default_and_off_on_request(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "idem", "-p", "1")
    gregor(bs, "produce", "idem", "--batch-size", "200", input="".join(f"r{i}\n" for i in range(50)))
    fields = producer_fields(module_broker.log_dir, "idem")
    assert len(fields) > 1, "small batch.size should give several batches"
    pid, epoch = fields[0][0], fields[0][1]
    assert pid >= 0 and epoch >= 0
    seq = 0
    for f_pid, f_epoch, base_seq, count in fields:
        assert (f_pid, f_epoch, base_seq) == (pid, epoch, seq)
        seq += count
    assert seq == 50

    gregor(bs, "topics", "create", "plain", "-p", "1")
    gregor(bs, "produce", "plain", "--no-idempotence", "-a", "1", input="a\nb\n")
    assert all(f[0] == -1 and f[2] == -1 for f in producer_fields(module_broker.log_dir, "plain"))


def test_acks_zero_delivers(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "acks0", "-p", "1")
    gregor(bs, "produce", "acks0", "-a", "0", input="".join(f"m{i}\n" for i in range(100)))
    # acks=0 has no answer to wait for: poll until the broker has all of them.
    import time
    deadline = time.monotonic() + 30
    while len(consume_json(bs, "acks0")) < 100:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert [r["value"] for r in consume_json(bs, "acks0")] == [f"m{i}" for i in range(100)]


def test_consume_from_offset_timestamp_and_count(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "seek", "-p", "1")
    for chunk in range(3):
        gregor(bs, "produce", "seek", input="".join(f"c{chunk}-{i}\n" for i in range(10)))
    every = consume_json(bs, "seek")
    assert len(every) == 30
    from_17 = gregor(bs, "consume", "seek", "-o", "17", "-e").stdout.splitlines()
    assert from_17 == [r["value"] for r in every[17:]]
    ts = every[12]["timestamp"]
    first_at = next(i for i, r in enumerate(every) if r["timestamp"] >= ts)
    by_time = gregor(bs, "consume", "seek", "--timestamp", str(ts), "-e").stdout.splitlines()
    assert by_time == [r["value"] for r in every[first_at:]]
    assert gregor(bs, "consume", "seek", "-b", "-c", "4").stdout.splitlines() == [r["value"] for r in every[:4]]
    # From the end (the default) with --exit prints nothing.
    assert gregor(bs, "consume", "seek", "-e").stdout == ""


def test_produce_to_missing_partition_fails(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "onep", "-p", "1")
    r = gregor(bs, "produce", "onep", "-p", "5", input="x\n", check=False)
    assert r.returncode != 0 and "UNKNOWN_TOPIC_OR_PARTITION" in r.stderr and r.stderr.count("\n") == 1


def test_perf_produce_and_consume_print_kafka_lines(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "perf", "-p", "2")
    out = gregor(bs, "perf", "produce", "--topic", "perf", "--num-records", "5000", "--record-size", "200",
                 "--throughput", "-1", "--producer-props", "acks=all", "linger.ms=5").stdout.splitlines()
    total = re.compile(r"^5000 records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, "
                       r"[\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99.9th\.$")
    assert any(total.match(line) for line in out), out
    summary = json.loads(out[-1])
    assert summary["records"] == 5000 and summary["errors"] == 0

    out = gregor(bs, "perf", "consume", "--topic", "perf", "--messages", "5000").stdout.splitlines()
    assert out[0] == ("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
                      "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec")
    row = out[1].split(", ")
    assert len(row) == 10 and row[4] == "5000"
    assert abs(float(row[2]) - 5000 * 200 / 1048576) < 0.001
    assert json.loads(out[2])["messages"] == 5000


def test_dump_log_prints_the_segment(module_broker):
    bs = module_broker.bootstrap
    gregor(bs, "topics", "create", "dump", "-p", "1")
    gregor(bs, "produce", "dump", "-K", ":", input="k1:hello\nk2:world\n")
    segment = sorted(module_broker.partition_dir("dump", 0).glob("*.log"))[0]
    r = gregor(None, "dump-log", str(segment), "--print-records", check=False)
    if r.returncode != 0 and "not available in this build" in r.stderr:
        pytest.skip("built without log/dump_log.h")
    assert r.returncode == 0, r.stderr
    assert f"Dumping {segment}" in r.stdout
    assert "hello" in r.stdout and "world" in r.stdout
    r = gregor(None, "dump-log", str(segment) + ".missing", check=False)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
