"""The harness's raw client against the broker: ApiVersions v0 and Metadata v1 are well formed."""
from harness import KafkaConnection, wait_until


def test_api_versions_v0_lists_the_core_apis(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        resp = c.api_versions()
    assert resp.error_code == 0
    for key in (0, 1, 2, 3, 18):  # Produce, Fetch, ListOffsets, Metadata, ApiVersions
        r = resp.range(key)
        assert r is not None, f"api key {key} not advertised"
        assert 0 <= r.min_version <= r.max_version


def test_metadata_v1_lists_the_broker_and_auto_creates(module_broker, topic):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        md = c.metadata([])
        assert [(b.node_id, b.host, b.port) for b in md.brokers] == \
            [(0, "127.0.0.1", module_broker.port)]
        assert md.controller_id == 0
        assert md.topics == []

        def created():
            t = c.metadata([topic]).topic(topic)
            return t if t.error_code == 0 and t.partitions and t.partitions[0].leader == 0 else None
        t = wait_until(created, 30, f"auto-creation of {topic}")
    assert [p.partition for p in t.partitions] == [0]
    assert t.partitions[0].replicas == [0] and t.partitions[0].isr == [0]


def test_pipelined_requests_are_answered_in_order(module_broker):
    with KafkaConnection.to(module_broker.bootstrap) as c:
        # Send three requests before reading any answer: correlation ids must come back in order.
        from harness.wire import Writer
        for cid in (101, 102, 103):
            header = Writer().int16(18).int16(0).int32(cid).string("pipeline").bytes()
            c.send_frame(header)
        got = [int.from_bytes(c.recv_frame()[:4], "big") for _ in range(3)]
    assert got == [101, 102, 103]
