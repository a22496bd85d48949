#!/usr/bin/env bash
# gregor beside Apache Kafka 3.9 on this machine (./dev bench [--quick]): installs what is missing, then runs bench.py.
# Usage: bench/run.sh [--quick] [--reps N] [--only single,shared,replicated (any of them)] [--no-failover] [--out DIR]
# Results: bench/results/<date>-<host>[-quick].md, .json, .png; per-tool logs in bench/results/tmp/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$REPO/.state/bench"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
say() { echo "[bench] $*"; }

# Debian packages: a JDK (javac for bench/java), Maven, iperf3, util-linux (taskset), python3-venv.
need=()
command -v javac >/dev/null || need+=(default-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v taskset >/dev/null || need+=(util-linux)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Kafka 3.9.1 broker jars: the same pom and directory as `test/compat/install.sh --kafka` (shared with the
# compat tests; done here directly so the bench does not build the compat clients).
KAFKA_LIBS="$REPO/.state/kafka-3.9/libs"
if [ ! -e "$KAFKA_LIBS/kafka_2.13-3.9.1.jar" ]; then
  say "mvn dependency:copy-dependencies (Kafka 3.9.1 broker) -> $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$REPO/test/compat/kafka-peer/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" \
    -DincludeScope=runtime -Dkafka.version=3.9.1
fi
# Kafka's load tools (ProducerPerformance, ConsumerPerformance): bench/kafka-tools/pom.xml.
TOOLS_LIBS="$STATE/kafka-tools-libs"
if [ ! -e "$TOOLS_LIBS/kafka-tools-3.9.1.jar" ] || [ "$REPO/bench/kafka-tools/pom.xml" -nt "$TOOLS_LIBS/kafka-tools-3.9.1.jar" ]; then
  say "mvn dependency:copy-dependencies (kafka-tools 3.9.1) -> $TOOLS_LIBS"
  rm -rf "$TOOLS_LIBS"
  mvn -q -B -f "$REPO/bench/kafka-tools/pom.xml" dependency:copy-dependencies -DoutputDirectory="$TOOLS_LIBS" \
    -DincludeScope=runtime
fi

# The open-loop latency and failover probes (Kafka's Java client, same client for both systems).
CLASSES="$STATE/classes"
if [ ! -e "$CLASSES/E2eLatency.class" ] || [ -n "$(find "$REPO/bench/java" -newer "$CLASSES/E2eLatency.class" -name '*.java')" ]; then
  say "javac bench/java"
  mkdir -p "$CLASSES"
  javac -d "$CLASSES" -cp "$TOOLS_LIBS/*" "$REPO"/bench/java/*.java
  touch "$CLASSES/E2eLatency.class"
fi

# librdkafka's producer as a third load tool for W1/W2 (bench/c/rdkafka_perf.c, Debian's librdkafka).
dpkg-query -W -f='${Status}' librdkafka-dev 2>/dev/null | grep -q "install ok installed" || {
  say "apt-get install librdkafka-dev"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends librdkafka-dev gcc >/dev/null
}
RDKAFKA_PERF="$STATE/rdkafka-perf"
if [ ! -x "$RDKAFKA_PERF" ] || [ "$REPO/bench/c/rdkafka_perf.c" -nt "$RDKAFKA_PERF" ]; then
  say "cc bench/c/rdkafka_perf.c"
  mkdir -p "$STATE"
  gcc -O2 -Wall -Wextra -Werror -o "$RDKAFKA_PERF" "$REPO/bench/c/rdkafka_perf.c" -lrdkafka
fi

# matplotlib for the chart, in the repository's venv.
VENV="$REPO/.venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import matplotlib" 2>/dev/null || "$VENV/bin/pip" install -q --disable-pip-version-check matplotlib==3.11.2

"$VENV/bin/python" "$REPO/bench/bench.py" "$@"

# The storage engine alone (issue 4): append, sendfile read and recovery beside dd on the broker's disk.
LOG_BENCH="${GREGOR_BUILD_DIR:-$REPO/build}/log/gregor-log-bench"
if [ -x "$LOG_BENCH" ]; then
  MIB=1024; OUT_DIR="$REPO/bench/results"; prev=""
  for a in "$@"; do
    [ "$a" = "--quick" ] && MIB=256
    [ "$prev" = "--out" ] && OUT_DIR="$a"
    prev="$a"
  done
  mkdir -p "$OUT_DIR"
  out="$OUT_DIR/$(date -u +%Y-%m-%d-%H%M)-$(hostname -s)-log.json"
  say "gregor-log-bench ($MIB MiB) -> $out"
  "$LOG_BENCH" "$STATE/log-bench" --mib "$MIB" | tee "$out"
  rm -rf "$STATE/log-bench"
fi
