#!/bin/bash
# Container entry point: checks the required KAFKA_*/GREGOR_* settings, writes server.properties, runs the broker.
# Every other KAFKA_X_Y / GREGOR_X_Y variable is read by gregor-broker itself as server.properties key x.y
# (prefix stripped, lower case, _ -> ., __ -> _, ___ -> -), as Kafka's images do.
set -euo pipefail

CONFIG_DIR="${GREGOR_CONFIG_DIR:-/etc/gregor}"
DATA_DIR="${GREGOR_DATA_DIR:-/var/lib/gregor/data}"

fail() {
  echo "gregor-entrypoint: error: $*" >&2
  exit 64
}

# setting NAME: sets VAR and VALUE from GREGOR_NAME, else KAFKA_NAME; fails when neither is set.
setting() {
  local g="GREGOR_$1" k="KAFKA_$1"
  if [ -n "${!g+x}" ]; then
    VAR="$g" VALUE="${!g}"
  elif [ -n "${!k+x}" ]; then
    VAR="$k" VALUE="${!k}"
  else
    VAR="KAFKA_$1" VALUE=""
    return 1
  fi
}

check_broker_id() {
  setting BROKER_ID || fail "KAFKA_BROKER_ID is not set (give each broker a fixed id, e.g. KAFKA_BROKER_ID=1)"
  [[ "$VALUE" =~ ^[0-9]{1,10}$ ]] && [ "$VALUE" -le 2147483647 ] \
    || fail "$VAR='$VALUE' is invalid: expected an integer in [0, 2147483647]"
}

check_zookeeper_connect() {
  setting ZOOKEEPER_CONNECT || fail "KAFKA_ZOOKEEPER_CONNECT is not set (e.g. KAFKA_ZOOKEEPER_CONNECT=zookeeper:2181/gregor)"
  local hostport='[A-Za-z0-9._-]+:[0-9]{1,5}'
  [[ "$VALUE" =~ ^$hostport(,$hostport)*(/[A-Za-z0-9._/-]*)?$ ]] \
    || fail "$VAR='$VALUE' is invalid: expected host:port[,host:port...][/chroot]"
  local hosts="${VALUE%%/*}" item
  for item in ${hosts//,/ }; do
    local port="${item##*:}"
    [ "$((10#$port))" -ge 1 ] && [ "$((10#$port))" -le 65535 ] \
      || fail "$VAR='$VALUE' is invalid: port $port of $item is not in [1, 65535]"
  done
}

write_server_properties() {
  mkdir -p "$CONFIG_DIR" "$DATA_DIR"
  # Only defaults: the environment overrides any of them (gregor-broker applies KAFKA_*/GREGOR_* after the file).
  cat > "$CONFIG_DIR/server.properties" <<PROPS
# Written by gregor-entrypoint at container start; set KAFKA_* / GREGOR_* variables instead of editing.
listeners=PLAINTEXT://0.0.0.0:9092
log.dirs=$DATA_DIR
PROPS
  # A bare container (no listener settings) advertises its host name, as 0.0.0.0 cannot be advertised.
  if ! setting LISTENERS && ! setting ADVERTISED_LISTENERS; then
    echo "advertised.listeners=PLAINTEXT://$(hostname):9092" >> "$CONFIG_DIR/server.properties"
  fi
}

if [ $# -gt 0 ]; then
  exec "$@"  # another command (gregor, a shell): run it as is, without the broker checks
fi
check_broker_id
broker_id="$VALUE"
check_zookeeper_connect
zookeeper_connect="$VALUE"
write_server_properties
echo "gregor-entrypoint: broker $broker_id, ZooKeeper $zookeeper_connect, data in $DATA_DIR"
exec /usr/local/bin/gregor-broker "$CONFIG_DIR/server.properties"
