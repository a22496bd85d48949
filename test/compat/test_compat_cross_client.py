"""What one client produced, another reads byte for byte (keys, values, headers, timestamps)."""
import pytest

import runners
from runners import require
from records import BASE_TS, assert_same, full_set, kcat_set, text_set

COUNT = 50


@pytest.mark.parametrize("producer,consumer,codec", [
    ("java", "kcat", "lz4"),
    ("java", "kcat", "none"),
    ("franz-go", "kcat", "zstd"),
    ("confluent", "kcat", "snappy"),
])
def test_text_records_to_kcat(producer, consumer, codec, module_broker, topic, workdir):
    """kcat prints headers as name=value CSV, so the records are printable text."""
    require(producer)
    require(consumer)
    expected = text_set(COUNT)
    runners.produce(producer, module_broker.bootstrap, topic, codec, expected, workdir)
    assert_same(expected, runners.consume(consumer, module_broker.bootstrap, topic, COUNT))


@pytest.mark.parametrize("producer,consumer,codec", [
    ("kcat", "java", "gzip"),
    ("kcat", "java", "zstd"),
    ("kcat", "franz-go", "lz4"),
])
def test_kcat_records_to(producer, consumer, codec, module_broker, topic, workdir):
    require(producer)
    require(consumer)
    expected = kcat_set(COUNT)
    before = runners.now_ms()
    runners.produce(producer, module_broker.bootstrap, topic, codec, expected, workdir)
    after = runners.now_ms()
    got = runners.consume(consumer, module_broker.bootstrap, topic, COUNT)
    assert_same(expected, got, check_timestamps=False)
    assert all(before - 1000 <= r.timestamp <= after + 1000 for r in got), \
        [r.timestamp for r in got]


@pytest.mark.parametrize("producer,consumer,codec", [
    ("franz-go", "kafka-python", "snappy"),
    ("franz-go", "kafka-python", "zstd"),
    ("kafka-python", "java", "lz4"),
    ("java", "confluent", "zstd"),
    ("confluent", "franz-go", "gzip"),
    ("java", "franz-go", "snappy"),
    ("kafka-python", "confluent", "gzip"),
])
def test_binary_records(producer, consumer, codec, module_broker, topic, workdir):
    require(producer)
    require(consumer)
    expected = runners.producible(producer, full_set(COUNT))
    runners.produce(producer, module_broker.bootstrap, topic, codec, expected, workdir)
    assert_same(expected, runners.consume(consumer, module_broker.bootstrap, topic, COUNT))


def test_kcat_format_and_json_outputs_agree(module_broker, topic, workdir):
    require("java")
    require("kcat")
    expected = text_set(COUNT)
    runners.produce("java", module_broker.bootstrap, topic, "gzip", expected, workdir)
    formatted = runners.kcat_consume(module_broker.bootstrap, topic, COUNT, output="format")
    assert_same(expected, formatted)
    assert runners.kcat_consume(module_broker.bootstrap, topic, COUNT, output="json") == formatted


def test_every_client_reads_the_same_log(module_broker, topic, workdir):
    """One log written by several producers in turn (mixed codecs); all five consumers agree."""
    for client in runners.CLIENTS:
        require(client)
    expected = []
    plan = [("java", "zstd"), ("franz-go", "lz4"), ("confluent", "gzip"),
            ("kafka-python", "snappy"), ("java", "none")]
    for i, (client, codec) in enumerate(plan):
        chunk = runners.producible(client, text_set(10, base_ts=BASE_TS + i * 100_000))
        runners.produce(client, module_broker.bootstrap, topic, codec, chunk, workdir)
        expected += chunk
    for client in runners.CLIENTS:
        got = runners.consume(client, module_broker.bootstrap, topic, len(expected))
        assert_same(expected, got)
