#!/bin/bash
# Container health check: healthy when the broker answers ApiVersions and Metadata on its first listener.
set -euo pipefail
listeners="${GREGOR_LISTENERS:-${KAFKA_LISTENERS:-PLAINTEXT://0.0.0.0:9092}}"
first="${listeners%%,*}"
hostport="${first#*://}"
host="${hostport%:*}"
port="${hostport##*:}"
# A wildcard or empty bind host is reached through loopback.
case "$host" in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
exec /usr/local/bin/gregor --brokers "$host:$port" --timeout-ms 5000 cluster info > /dev/null
