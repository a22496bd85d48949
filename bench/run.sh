#!/usr/bin/env bash
# Quick throughput check of one gregor broker with kcat (librdkafka): produce and consume MB/s on one partition.
# Usage: bench/run.sh [--quick] [--records N] [--size BYTES]. The side-by-side comparison with Apache Kafka
# (issue: benchmark) is not here yet; this measures gregor alone, with the machine's dd numbers beside it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${GREGOR_BUILD_DIR:-$REPO/build}"
RECORDS=500000; SIZE=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) RECORDS=200000; shift ;;
    --records) RECORDS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v kcat >/dev/null || { apt-get install -y -qq kcat >/dev/null; }
WORK="$(mktemp -d /tmp/gregor-bench.XXXXXX)"
ZK_PID=""; BROKER_PID=""
cleanup() {
  [ -n "$BROKER_PID" ] && kill -TERM "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null || true
  [ -n "$ZK_PID" ] && kill -TERM -- "-$ZK_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ZK_PORT=$(free_port); PORT=$(free_port)
mkdir -p "$WORK/zk" "$WORK/data"
printf 'tickTime=2000\ndataDir=%s/zk\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n' "$WORK" "$ZK_PORT" > "$WORK/zoo.cfg"
ZOO_LOG_DIR="$WORK" setsid /usr/share/zookeeper/bin/zkServer.sh start-foreground "$WORK/zoo.cfg" > "$WORK/zk.out" 2>&1 &
ZK_PID=$!
for _ in $(seq 1 150); do [ "$(echo ruok | nc -w 1 127.0.0.1 "$ZK_PORT" 2>/dev/null)" = imok ] && break; sleep 0.2; done
printf 'broker.id=1\nlisteners=PLAINTEXT://127.0.0.1:%s\nlog.dirs=%s/data\nzookeeper.connect=127.0.0.1:%s\noffsets.topic.replication.factor=1\n' \
  "$PORT" "$WORK" "$ZK_PORT" > "$WORK/server.properties"
"$BUILD/broker/gregor-broker" "$WORK/server.properties" > "$WORK/broker.out" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 150); do kcat -b "127.0.0.1:$PORT" -L -m 1 >/dev/null 2>&1 && break; sleep 0.2; done

python3 -c "
import sys
line = ('x' * ($SIZE - 1) + '\n').encode()
with open('$WORK/records', 'wb') as f:
    for _ in range($RECORDS): f.write(line)"
BYTES=$((RECORDS * SIZE))
now() { date +%s.%N; }
t0=$(now)
kcat -b "127.0.0.1:$PORT" -P -t bench -p 0 -X linger.ms=5 -X batch.size=16384 -X acks=1 -X queue.buffering.max.kbytes=1048576 -l "$WORK/records"
t1=$(now)
kcat -b "127.0.0.1:$PORT" -C -t bench -p 0 -o beginning -e -q -X fetch.max.bytes=52428800 > /dev/null
t2=$(now)
dd if=/dev/zero of="$WORK/dd" bs=1M count=$((BYTES / 1048576)) conv=fdatasync 2> "$WORK/dd.out"
python3 - "$t0" "$t1" "$t2" "$BYTES" "$RECORDS" "$WORK/dd.out" <<'PY'
import re, sys
t0, t1, t2, nbytes, n = map(float, sys.argv[1:6])
dd = open(sys.argv[6]).read()
m = re.search(r"([\d.,]+) ([GM])B/s", dd)
print(f"produce (kcat, acks=1, batch 16 KiB, 1 partition): {nbytes/(t1-t0)/1e6:.1f} MB/s, {n/(t1-t0):,.0f} records/s")
print(f"consume (kcat, from page cache):                   {nbytes/(t2-t1)/1e6:.1f} MB/s, {n/(t2-t1):,.0f} records/s")
if m:
    print(f"dd sequential write (fdatasync), same disk:        {m.group(1)} {m.group(2)}B/s")
PY
