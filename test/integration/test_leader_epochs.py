"""Leader epochs: a restart starts a new epoch at the log end; OffsetForLeaderEpoch answers from the cache."""
import time

import pytest
from harness.wire import KafkaConnection

from kafka_raw import build_batch, create_topics, offset_for_leader_epoch, produce

pytestmark = pytest.mark.asan
NOW = int(time.time() * 1000)


def test_epoch_end_offsets_after_restart(broker):
    with KafkaConnection.to(broker.bootstrap) as c:
        assert create_topics(c, {"epochs": (1, 1)})["epochs"][0] == 0
        for _ in range(3):
            assert produce(c, "epochs", 0, build_batch([(b"k", b"v", NOW)] * 2))["error"] == 0
    broker.stop()
    broker.start()
    with KafkaConnection.to(broker.bootstrap) as c:
        assert produce(c, "epochs", 0, build_batch([(b"k", b"v", NOW)]))["error"] == 0
        # Epoch 0 wrote offsets 0..5; epoch 1 starts at 6 and is the latest (its end is the log end, 7).
        assert offset_for_leader_epoch(c, "epochs", 0, 0) == (0, 0, 6)
        assert offset_for_leader_epoch(c, "epochs", 0, 1) == (0, 1, 7)
        # A client that still believes in epoch 0 is fenced; one from the future is told it is unknown.
        assert offset_for_leader_epoch(c, "epochs", 0, 0, current_leader_epoch=0)[0] == 74
        assert offset_for_leader_epoch(c, "epochs", 0, 0, current_leader_epoch=5)[0] == 75
        assert offset_for_leader_epoch(c, "no-such-topic", 0, 0)[0] == 3
