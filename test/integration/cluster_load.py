"""A continuous acks=all producer (librdkafka via confluent-kafka) run as a child process.

Usage: cluster_load.py <bootstrap> <topic> <out.jsonl> [--idempotent 0|1] [--max N]
Produces values "<seq>" round-robin over the topic's partitions (each record to an explicit partition,
so order per partition is checkable) until SIGTERM or --max records, and appends one JSON line per
delivery report: {"p": partition, "v": value, "o": offset, "t": ack time} for acknowledged records,
{"p": ..., "v": ..., "err": "..."} for failed ones. stdout gets one line per second with counts.
"""
import argparse
import json
import signal
import sys
import time

from confluent_kafka import KafkaException, Producer

stop = False


def on_term(*_):
    global stop
    stop = True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("topic")
    ap.add_argument("out")
    ap.add_argument("--partitions", type=int, required=True)
    ap.add_argument("--idempotent", type=int, default=1)
    ap.add_argument("--max", type=int, default=0)
    ap.add_argument("--rate", type=int, default=2000, help="records per second (approximate)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    out = open(args.out, "a", buffering=1)
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "enable.idempotence": bool(args.idempotent),
        "linger.ms": 5,
        "message.timeout.ms": 120000,
        "retry.backoff.ms": 100,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    counts = {"acked": 0, "failed": 0}

    def report(err, msg):
        if err is None:
            counts["acked"] += 1
            out.write(json.dumps({"p": msg.partition(), "v": msg.value().decode(), "o": msg.offset(),
                                  "t": time.time()}) + "\n")
        else:
            counts["failed"] += 1
            out.write(json.dumps({"p": msg.partition(), "v": msg.value().decode(), "err": str(err)}) + "\n")

    seq = 0
    last_print = time.monotonic()
    started = time.monotonic()
    while not stop and (args.max == 0 or seq < args.max):
        p = seq % args.partitions
        try:
            producer.produce(args.topic, value=str(seq).encode(), partition=p, on_delivery=report)
            seq += 1
        except BufferError:
            producer.poll(0.05)
            continue
        except KafkaException as e:
            print(f"produce error: {e}", file=sys.stderr, flush=True)
            producer.poll(0.05)
            continue
        producer.poll(0)
        # Pace to the rate so a failover has records in flight without flooding the queue.
        ahead = seq / args.rate - (time.monotonic() - started)
        if ahead > 0:
            producer.poll(ahead)
        if time.monotonic() - last_print >= 1:
            print(f"sent {seq} acked {counts['acked']} failed {counts['failed']}", flush=True)
            last_print = time.monotonic()
    remaining = producer.flush(150)
    print(f"done sent {seq} acked {counts['acked']} failed {counts['failed']} unflushed {remaining}", flush=True)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
