"""Raw Kafka requests the client libraries refuse to send: hand-built Produce, InitProducerId, ListOffsets.

Record batches come from kafka-python's DefaultRecordBatchBuilder (a real client's encoder); the tests
then damage them on purpose.
"""
import struct

from harness.wire import KafkaConnection, Reader, Writer
from kafka.record.default_records import DefaultRecordBatchBuilder

PRODUCE, LIST_OFFSETS, INIT_PRODUCER_ID = 0, 2, 22


def build_batch(records, producer_id=-1, producer_epoch=-1, base_sequence=-1, compression=0) -> bytearray:
    """records: list of (key bytes|None, value bytes|None, timestamp ms). Returns a valid v2 batch."""
    b = DefaultRecordBatchBuilder(magic=2, compression_type=compression, is_transactional=False,
                                  producer_id=producer_id, producer_epoch=producer_epoch,
                                  base_sequence=base_sequence, batch_size=1 << 20)
    for i, (key, value, ts) in enumerate(records):
        b.append(i, timestamp=ts, key=key, value=value, headers=[])
    return bytearray(b.build())


def produce(conn: KafkaConnection, topic: str, partition: int, batch: bytes, acks: int = -1,
            version: int = 8) -> dict:
    w = Writer().string(None).int16(acks).int32(10000)
    w.int32(1).string(topic).int32(1).int32(partition).int32(len(batch)).raw(bytes(batch))
    body = conn.request(PRODUCE, version, w.bytes())
    r = Reader(body)
    assert r.int32() == 1
    name = r.string()
    assert r.int32() == 1
    out = {"topic": name, "partition": r.int32(), "error": r.int16(), "base_offset": r.int64()}
    out["log_append_time"] = r.int64()
    if version >= 5:
        out["log_start_offset"] = r.int64()
    if version >= 8:
        out["record_errors"] = r.array(lambda x: (x.int32(), x.string()))
        out["error_message"] = r.string()
    return out


def init_producer_id(conn: KafkaConnection) -> tuple[int, int, int]:
    body = conn.request(INIT_PRODUCER_ID, 0, Writer().string(None).int32(60000).bytes())
    r = Reader(body)
    r.int32()
    return r.int16(), r.int64(), r.int16()


def list_offset(conn: KafkaConnection, topic: str, partition: int, timestamp: int) -> tuple[int, int]:
    """(error, offset) for LATEST (-1), EARLIEST (-2) or a timestamp (ListOffsets v1)."""
    w = Writer().int32(-1).int32(1).string(topic).int32(1).int32(partition).int64(timestamp)
    r = Reader(conn.request(LIST_OFFSETS, 1, w.bytes()))
    assert r.int32() == 1
    r.string()
    assert r.int32() == 1
    r.int32()
    err = r.int16()
    r.int64()
    return err, r.int64()


def flip_byte(batch: bytearray, index: int) -> bytearray:
    out = bytearray(batch)
    out[index] ^= 0xFF
    return out


def frame(payload: bytes) -> bytes:
    return struct.pack(">i", len(payload)) + payload


def create_topics(conn: KafkaConnection, topics: dict[str, tuple[int, int]],
                  configs: dict[str, dict[str, str]] | None = None, validate_only: bool = False,
                  timeout_ms: int = 10000) -> dict[str, tuple[int, str | None]]:
    """CreateTopics v2: {name: (partitions, replication_factor)} -> {name: (error_code, message)}."""
    w = Writer().int32(len(topics))
    for name, (partitions, rf) in topics.items():
        w.string(name).int32(partitions).int16(rf).int32(0)
        cfg = (configs or {}).get(name, {})
        w.int32(len(cfg))
        for k, v in cfg.items():
            w.string(k).string(v)
    w.int32(timeout_ms).int8(1 if validate_only else 0)
    r = Reader(conn.request(19, 2, w.bytes()))
    r.int32()
    return {name: (err, msg) for name, err, msg in r.array(lambda x: (x.string(), x.int16(), x.string()))}


def offset_for_leader_epoch(conn: KafkaConnection, topic: str, partition: int, leader_epoch: int,
                            current_leader_epoch: int = -1) -> tuple[int, int, int]:
    """OffsetForLeaderEpoch v2: (error, leader_epoch, end_offset)."""
    w = Writer().int32(1).string(topic).int32(1).int32(partition).int32(current_leader_epoch).int32(leader_epoch)
    r = Reader(conn.request(23, 2, w.bytes()))
    r.int32()
    assert r.int32() == 1
    r.string()
    assert r.int32() == 1
    err = r.int16()
    r.int32()
    return err, r.int32(), r.int64()
