"""A consumer-group member for tests: subscribes, prints each new assignment, commits what it reads.

usage: group_member.py confluent|kafka-python BOOTSTRAP TOPIC GROUP
Prints 'ASSIGNED 0,1' whenever its assignment changes and 'READ <partition> <offset>' per record.
"""
import sys
import time

client, bootstrap, topic, group = sys.argv[1:5]


def report(parts):
    print("ASSIGNED " + ",".join(str(p) for p in sorted(parts)), flush=True)


if client == "confluent":
    from confluent_kafka import Consumer, KafkaException
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "session.timeout.ms": 6000,
                  "heartbeat.interval.ms": 500, "auto.offset.reset": "earliest", "enable.auto.commit": False})
    current = set()

    def on_assign(consumer, partitions):
        current.update(p.partition for p in partitions)
        report(current)

    def on_revoke(consumer, partitions):
        current.difference_update(p.partition for p in partitions)

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while True:
        m = c.poll(0.2)
        if m is not None and not m.error():
            print(f"READ {m.partition()} {m.offset()}", flush=True)
            try:
                c.commit(message=m, asynchronous=False)
            except KafkaException as e:
                # A commit during a rebalance fails (UNKNOWN_MEMBER_ID after a session timeout, REBALANCE_IN_
                # PROGRESS); an application carries on, and the partition's next owner reads the record again.
                print(f"COMMIT-FAILED {m.partition()} {m.offset()} {e}", flush=True)
else:
    from kafka import KafkaConsumer
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, session_timeout_ms=6000,
                      heartbeat_interval_ms=500, auto_offset_reset="earliest", enable_auto_commit=False)
    last = None
    while True:
        batch = c.poll(timeout_ms=200)
        now = {tp.partition for tp in c.assignment()}
        if now != last:
            report(now)
            last = now
        for tp, records in batch.items():
            for r in records:
                print(f"READ {tp.partition} {r.offset}", flush=True)
        if batch:
            try:
                c.commit()
            except Exception as e:  # noqa: BLE001 - kafka-python's CommitFailedError and friends, as above
                print(f"COMMIT-FAILED {e}", flush=True)
