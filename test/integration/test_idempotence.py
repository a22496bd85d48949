"""Idempotent producers: retries of any of the last 5 batches are acknowledged once, gaps are refused."""
import time

import pytest
from harness.wire import KafkaConnection

from kafka_raw import build_batch, create_topics, init_producer_id, list_offset, produce

pytestmark = pytest.mark.asan
NOW = int(time.time() * 1000)


def test_duplicates_are_acknowledged_without_being_written(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        assert create_topics(c, {"idem": (1, 1)})["idem"][0] == 0
        err, pid, epoch = init_producer_id(c)
        assert err == 0 and pid >= 0 and epoch == 0
        batches = [build_batch([(b"k%d" % i, b"v%d" % i, NOW), (b"x", b"y", NOW)], pid, epoch, 2 * i)
                   for i in range(6)]
        offsets = [produce(c, "idem", 0, b)["base_offset"] for b in batches]
        assert offsets == [0, 2, 4, 6, 8, 10]
        # Retries of the last five batches get their original offsets and write nothing.
        for i in range(1, 6):
            r = produce(c, "idem", 0, batches[i])
            assert (r["error"], r["base_offset"]) == (0, offsets[i])
        assert list_offset(c, "idem", 0, -1) == (0, 12)
        # A gap in the sequence is OUT_OF_ORDER_SEQUENCE_NUMBER.
        gap = build_batch([(b"k", b"v", NOW)], pid, epoch, 20)
        assert produce(c, "idem", 0, gap)["error"] == 45
        # The next sequence is accepted.
        nxt = build_batch([(b"k", b"v", NOW)], pid, epoch, 12)
        assert produce(c, "idem", 0, nxt)["base_offset"] == 12


def test_producer_ids_are_unique(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        ids = {init_producer_id(c)[1] for _ in range(50)}
    assert len(ids) == 50
