"""Every client x every codec: produce keyed records with headers, read them back identically."""
import pytest

import runners
from runners import require
from harness.segments import partition_batches
from records import assert_same, full_set, kcat_set

COUNT = 50


def check_kcat_timestamps(got, before_ms: int, after_ms: int) -> None:
    """kcat cannot set timestamps: librdkafka stamps CreateTime when each record is produced."""
    for r in got:
        assert before_ms - 1000 <= r.timestamp <= after_ms + 1000, \
            f"offset {r.offset}: timestamp {r.timestamp} outside [{before_ms}, {after_ms}]"


def check_stored_codec(broker, topic: str, codec: str, count: int) -> None:
    """The producer really compressed: the broker stored (kept, as compression.type=producer
    asks) batches in that codec, several records per batch."""
    batches = partition_batches(broker.log_dir, topic)
    assert sum(b.record_count for b in batches) == count
    assert {b.codec for b in batches} == {codec}, [b.codec for b in batches]
    assert all(b.magic == 2 for b in batches)
    assert max(b.record_count for b in batches) > 1, "expected batching (linger.ms=20)"


@pytest.mark.parametrize("codec", runners.CODECS)
@pytest.mark.parametrize("client", runners.CLIENTS)
def test_roundtrip(client, codec, module_broker, topic, workdir):
    require(client)
    if client == "kcat":
        expected = kcat_set(COUNT)
        before = runners.now_ms()
        runners.produce(client, module_broker.bootstrap, topic, codec, expected, workdir)
        after = runners.now_ms()
        got = runners.consume(client, module_broker.bootstrap, topic, COUNT)
        assert_same(expected, got, check_timestamps=False)
        check_kcat_timestamps(got, before, after)
        check_stored_codec(module_broker, topic, codec, COUNT)
    else:
        expected = runners.producible(client, full_set(COUNT))
        runners.produce(client, module_broker.bootstrap, topic, codec, expected, workdir)
        got = runners.consume(client, module_broker.bootstrap, topic, COUNT)
        assert_same(expected, got)
        check_stored_codec(module_broker, topic, codec, COUNT)
