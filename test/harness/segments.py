"""Reads RecordBatch v2 headers straight from a partition's segment files on disk."""
import struct
from dataclasses import dataclass
from pathlib import Path

CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


@dataclass
class BatchInfo:
    base_offset: int
    length: int  # bytes after the length field
    magic: int
    attributes: int
    last_offset_delta: int
    record_count: int

    @property
    def codec(self) -> str:
        return CODECS.get(self.attributes & 0x7, f"unknown({self.attributes & 0x7})")


def read_batches(segment: Path) -> list[BatchInfo]:
    """Batch headers of one .log file; stops at a torn tail (fewer bytes than announced)."""
    data = segment.read_bytes()
    out, pos = [], 0
    while pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        if length <= 0 or pos + 12 + length > len(data):
            break
        magic = data[pos + 16]
        attributes, last_delta = struct.unpack_from(">hi", data, pos + 21)
        count = struct.unpack_from(">i", data, pos + 57)[0]
        out.append(BatchInfo(base, length, magic, attributes, last_delta, count))
        pos += 12 + length
    return out


def partition_batches(log_dir: Path, topic: str, partition: int = 0) -> list[BatchInfo]:
    """All batches of topic-partition in a broker's log dir, segment by segment."""
    d = Path(log_dir) / f"{topic}-{partition}"
    batches = []
    for seg in sorted(d.glob("*.log")):
        batches += read_batches(seg)
    return batches
