"""Python compat client (confluent-kafka or kafka-python): produce a spec file, consume back."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from records import Rec, parse_output, record_line  # noqa: E402

CODECS = {"none", "gzip", "snappy", "lz4", "zstd"}


def read_specs(path: str, count: int) -> list[Rec]:
    with open(path) as f:
        lines = [line for line in f if line.strip()][:count]
    recs = parse_output("".join(f"0 {line}" for line in lines))
    if len(recs) < count:
        raise SystemExit(f"spec file has only {len(recs)} records")
    return recs


def confluent_produce(a, recs: list[Rec]) -> None:
    from confluent_kafka import Producer
    errors = []
    p = Producer({"bootstrap.servers": a.bootstrap, "compression.type": a.codec,
                  "linger.ms": 20, "enable.idempotence": True})

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err)
    for r in recs:
        p.produce(a.topic, value=r.value, key=r.key, partition=0, timestamp=r.timestamp,
                  headers=list(r.headers), on_delivery=on_delivery)
        p.poll(0)
    left = p.flush(a.timeout)
    if left or errors:
        raise SystemExit(f"produce failed: {left} undelivered, errors {errors[:3]}")


def confluent_consume(a) -> list[str]:
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "compat-unused",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(a.topic, 0, 0)])
    out, deadline = [], time.monotonic() + a.timeout
    try:
        while len(out) < a.count and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                raise SystemExit(f"consume error: {m.error()}")
            out.append(record_line(Rec(m.timestamp()[1], m.key(), m.value(),
                                       tuple(m.headers() or ()), m.offset())))
    finally:
        c.close()
    return out


def kafka_python_produce(a, recs: list[Rec]) -> None:
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=a.bootstrap, linger_ms=20,
                      compression_type=None if a.codec == "none" else a.codec)
    futures = [p.send(a.topic, value=r.value, key=r.key, partition=0, timestamp_ms=r.timestamp,
                      headers=list(r.headers)) for r in recs]
    p.flush(a.timeout)
    for f in futures:
        f.get(timeout=a.timeout)  # raises the produce error, if any
    p.close(a.timeout)


def kafka_python_consume(a) -> list[str]:
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=a.bootstrap, enable_auto_commit=False, group_id=None,
                      auto_offset_reset="earliest")
    tp = TopicPartition(a.topic, 0)
    c.assign([tp])
    c.seek(tp, 0)
    out, deadline = [], time.monotonic() + a.timeout
    try:
        while len(out) < a.count and time.monotonic() < deadline:
            for msgs in c.poll(timeout_ms=200).values():
                for m in msgs:
                    out.append(record_line(Rec(m.timestamp, m.key, m.value,
                                               tuple(m.headers or ()), m.offset)))
    finally:
        c.close()
    return out


def confluent_group(a) -> list[str]:
    """Subscribe in group a.group, read a.count records, commit the next offset, leave."""
    from confluent_kafka import Consumer, TopicPartition
    # A short session: a member that vanished without LeaveGroup stalls the next join only
    # this long (the default is 45 s).
    conf = {"bootstrap.servers": a.bootstrap, "group.id": a.group, "session.timeout.ms": 10000,
            "enable.auto.commit": False, "auto.offset.reset": "earliest"}
    if os.environ.get("RDKAFKA_DEBUG"):
        conf["debug"] = os.environ["RDKAFKA_DEBUG"]
    c = Consumer(conf)
    c.subscribe([a.topic])
    out, last, deadline = [], None, time.monotonic() + a.timeout
    try:
        while len(out) < a.count and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                raise SystemExit(f"consume error: {m.error()}")
            out.append(record_line(Rec(m.timestamp()[1], m.key(), m.value(),
                                       tuple(m.headers() or ()), m.offset())))
            last = m
        if last is not None:
            c.commit(offsets=[TopicPartition(a.topic, 0, last.offset() + 1)], asynchronous=False)
    finally:
        c.close()
    return out


def kafka_python_group(a) -> list[str]:
    from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
    c = KafkaConsumer(a.topic, bootstrap_servers=a.bootstrap, group_id=a.group,
                      session_timeout_ms=10000, heartbeat_interval_ms=1000,
                      enable_auto_commit=False, auto_offset_reset="earliest")
    out, last, deadline = [], None, time.monotonic() + a.timeout
    try:
        while len(out) < a.count and time.monotonic() < deadline:
            for msgs in c.poll(timeout_ms=200, max_records=a.count - len(out)).values():
                for m in msgs:
                    out.append(record_line(Rec(m.timestamp, m.key, m.value,
                                               tuple(m.headers or ()), m.offset)))
                    last = m
        if last is not None:
            c.commit({TopicPartition(a.topic, 0): OffsetAndMetadata(last.offset + 1, "", -1)})
    finally:
        c.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True, choices=["confluent", "kafka-python"])
    ap.add_argument("--mode", default="both", choices=["produce", "consume", "both", "group"])
    ap.add_argument("--group", help="consumer group (mode group)")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--codec", default="none", choices=sorted(CODECS))
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--spec")
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()
    produce, consume = {"confluent": (confluent_produce, confluent_consume),
                        "kafka-python": (kafka_python_produce, kafka_python_consume)}[a.lib]
    if a.mode == "group":
        lines = {"confluent": confluent_group, "kafka-python": kafka_python_group}[a.lib](a)
        sys.stdout.write("".join(line + "\n" for line in lines))
        if len(lines) < a.count:
            raise SystemExit(f"timed out: consumed {len(lines)} of {a.count}")
        return
    if a.mode != "consume":
        produce(a, read_specs(a.spec, a.count))
    if a.mode != "produce":
        lines = consume(a)
        sys.stdout.write("".join(line + "\n" for line in lines))
        if len(lines) < a.count:
            raise SystemExit(f"timed out: consumed {len(lines)} of {a.count}")


if __name__ == "__main__":
    main()
