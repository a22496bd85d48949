#!/usr/bin/env bash
# Installs what the compat and integration tests need (idempotent; seconds when all is present).
#
#   test/compat/install.sh           apt tools, .venv, Java clients jar, franz-go binary
#   test/compat/install.sh --kafka   also Apache Kafka 3.9 broker jars in .state/kafka-3.9/libs
#
# Debian 12. Needs root (or sudo) only when apt packages are missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$REPO/.state"
VENV="$REPO/.venv"
KAFKA_VERSION=3.9.1
WITH_KAFKA=0
for arg in "$@"; do
  case "$arg" in
    --kafka) WITH_KAFKA=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[install] $*"; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# --- apt packages -----------------------------------------------------------
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd kcat || need+=(kcat)
have_cmd java || need+=(default-jre-headless)
have_cmd javac || need+=(default-jdk-headless)
have_cmd mvn || need+=(maven)
have_cmd nc || need+=(netcat-openbsd)
have_cmd go || need+=(golang-go)
[ -x /usr/share/zookeeper/bin/zkServer.sh ] || need+=(zookeeper)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# --- Python venv ------------------------------------------------------------
PY_PINS=(pytest==9.2.0 confluent-kafka==2.16.1 kafka-python==3.0.12
         cramjam==2.14.0 python-snappy==0.7.3 lz4==4.4.5 zstandard==0.25.0 kazoo==2.11.0)
PY_STAMP="$VENV/.compat-pins"
if [ ! -x "$VENV/bin/python" ]; then
  log "python3 -m venv $VENV"
  python3 -m venv "$VENV"
fi
if [ "$(cat "$PY_STAMP" 2>/dev/null)" != "${PY_PINS[*]}" ]; then
  log "pip install ${PY_PINS[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PINS[@]}"
  echo "${PY_PINS[*]}" > "$PY_STAMP"
fi

# --- rebuild only when sources are newer than the output ----------------------
stale() {  # stale <output> <source paths...>
  local out="$1"; shift
  [ -e "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -type f -print -quit)" ]
}

# --- Java clients (kafka-clients 4.x) -> one shaded jar ----------------------
JAVA_DIR="$REPO/test/compat/java"
JAR="$JAVA_DIR/target/compat-java-all.jar"
if stale "$JAR" "$JAVA_DIR/pom.xml" "$JAVA_DIR/src"; then
  log "mvn package (test/compat/java)"
  mvn -q -B -f "$JAVA_DIR/pom.xml" package
fi

# --- franz-go client --------------------------------------------------------
GO_DIR="$REPO/test/compat/go"
GO_BIN="$STATE/compat/franz-compat"
if stale "$GO_BIN" "$GO_DIR"; then
  log "go build (test/compat/go)"
  mkdir -p "$STATE/compat"
  (cd "$GO_DIR" && go build -o "$GO_BIN" .)
fi

# --- Apache Kafka 3.9 broker jars (only with --kafka) ------------------------
if [ "$WITH_KAFKA" -eq 1 ]; then
  LIBS="$STATE/kafka-3.9/libs"
  PEER_POM="$REPO/test/compat/kafka-peer/pom.xml"
  if [ ! -e "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] || stale "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" "$PEER_POM"; then
    log "mvn dependency:copy-dependencies (Kafka $KAFKA_VERSION) -> $LIBS"
    rm -rf "$LIBS"
    mvn -q -B -f "$PEER_POM" dependency:copy-dependencies -DoutputDirectory="$LIBS" \
      -DincludeScope=runtime -Dkafka.version="$KAFKA_VERSION"
  fi
fi

log "ok: run tests with  $VENV/bin/python -m pytest test/compat -q  (COMPAT_TARGET=gregor|kafka)"
