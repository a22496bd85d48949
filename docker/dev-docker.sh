#!/usr/bin/env bash
# gregor in containers: docker/dev-docker.sh build | up | down [-v] | test | ps | logs [SERVICE] | purge [PROJECT]
# Uses `docker compose` when a Docker engine answers, else podman + podman-compose (installed from Debian when
# missing, with the settings this sandbox needs). Without a registry the Debian 12 base image is made with
# debootstrap and cached under .state/docker/.
#
# Environment:
#   GREGOR_DOCKER_PORT_BASE   first published host port (brokers get BASE, BASE+1, BASE+2; default 9092)
#   GREGOR_DOCKER_PROJECT     compose project name (default gregor)
#   GREGOR_DOCKER_SOURCE      head (default: the committed HEAD of the repository) or worktree (files as they are)
#   GREGOR_DOCKER_BASE        base image for both Dockerfiles (default: debian:bookworm-slim with a registry,
#                             localhost/debian:bookworm made by debootstrap without one)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$REPO/.state/docker"
COMPOSE_FILE="$REPO/docker/docker-compose.yml"
IMAGE="localhost/gregor:latest"
ZK_IMAGE="localhost/gregor-zookeeper:latest"
LOCAL_BASE="localhost/debian:bookworm"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "[docker] $*"; }
die() { echo "[docker] error: $*" >&2; exit 1; }

export GREGOR_DOCKER_PROJECT="${GREGOR_DOCKER_PROJECT:-gregor}"
export GREGOR_DOCKER_PORT_BASE="${GREGOR_DOCKER_PORT_BASE:-9092}"
export GREGOR_DOCKER_PORT_1=$((GREGOR_DOCKER_PORT_BASE)) GREGOR_DOCKER_PORT_2=$((GREGOR_DOCKER_PORT_BASE + 1))
export GREGOR_DOCKER_PORT_3=$((GREGOR_DOCKER_PORT_BASE + 2))

# --- engine -------------------------------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Sets ENGINE (docker|podman) and the COMPOSE command array; prepares podman's configuration.
detect_engine() {
  if [ -n "${ENGINE:-}" ]; then return; fi
  if [ "${GREGOR_DOCKER_ENGINE:-}" != podman ] && command -v docker >/dev/null && docker info >/dev/null 2>&1 \
    && docker compose version >/dev/null 2>&1; then
    ENGINE=docker
    COMPOSE=(docker compose -p "$GREGOR_DOCKER_PROJECT" -f "$COMPOSE_FILE")
    return
  fi
  ensure_packages podman podman-compose runc debootstrap
  mkdir -p "$STATE"
  # This sandbox has no crun, no systemd cgroups and low hard ulimits: podman fails with its defaults.
  cat > "$STATE/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="$STATE/containers.conf"
  ENGINE=podman
  COMPOSE=(podman-compose -p "$GREGOR_DOCKER_PROJECT" -f "$COMPOSE_FILE")
}

# Debian 12 base: the public image when a registry answers (docker), else a debootstrap tarball imported once.
ensure_base() {
  if [ -n "${GREGOR_DOCKER_BASE:-}" ]; then return; fi
  if [ "$ENGINE" = docker ]; then export GREGOR_DOCKER_BASE=debian:bookworm-slim; return; fi
  export GREGOR_DOCKER_BASE="$LOCAL_BASE"
  if podman image exists "$LOCAL_BASE"; then return; fi
  local tarball="$STATE/debian-bookworm.tar"
  if [ ! -s "$tarball" ]; then
    say "making the Debian 12 base image with debootstrap (once; cached in $tarball)"
    rm -rf "$STATE/rootfs"
    debootstrap --variant=minbase bookworm "$STATE/rootfs" http://deb.debian.org/debian > "$STATE/debootstrap.log" 2>&1 \
      || die "debootstrap failed: see $STATE/debootstrap.log"
    tar -C "$STATE/rootfs" -c . > "$tarball.tmp" && mv "$tarball.tmp" "$tarball"
    rm -rf "$STATE/rootfs"
  fi
  podman import "$tarball" "$LOCAL_BASE" >/dev/null
  # Also under the public name, so that a plain `podman build` or `podman-compose build` without BASE finds it.
  podman tag "$LOCAL_BASE" docker.io/library/debian:bookworm-slim
}

# The build context: by default a clean export of the committed HEAD (so that files other people are editing
# in this working tree do not break the image), or the working tree itself with GREGOR_DOCKER_SOURCE=worktree.
build_context() {
  if [ "${GREGOR_DOCKER_SOURCE:-head}" = worktree ] || ! git -C "$REPO" rev-parse HEAD >/dev/null 2>&1; then
    echo "$REPO"
    return
  fi
  local ctx="$STATE/context"
  rm -rf "$ctx" && mkdir -p "$ctx"
  git -C "$REPO" archive --format=tar HEAD | tar -x -C "$ctx"
  echo "$ctx"
}

image_build() {  # context dockerfile tag [ignorefile]
  local ctx="$1" file="$2" tag="$3" ignore="${4:-}"
  if [ "$ENGINE" = docker ]; then
    # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile by itself.
    DOCKER_BUILDKIT=1 docker build --build-arg "BASE=$GREGOR_DOCKER_BASE" -f "$file" -t "$tag" "$ctx"
  else
    podman build --pull=never --build-arg "BASE=$GREGOR_DOCKER_BASE" ${ignore:+--ignorefile "$ignore"} \
      -f "$file" -t "$tag" "$ctx"
  fi
}

cmd_build() {
  detect_engine
  ensure_base
  local ctx log="$STATE/build.log"
  ctx=$(build_context)
  mkdir -p "$STATE"
  say "building $ZK_IMAGE and $IMAGE with $ENGINE from $([ "$ctx" = "$REPO" ] && echo "the working tree" || echo "HEAD $(git -C "$REPO" rev-parse --short HEAD)") (log: $log)"
  {
    image_build "$ctx/docker/zookeeper" "$ctx/docker/zookeeper/Dockerfile" "$ZK_IMAGE" &&
      image_build "$ctx" "$ctx/docker/Dockerfile" "$IMAGE" "$ctx/docker/Dockerfile.dockerignore"
  } > "$log" 2>&1 || { tail -40 "$log"; die "image build failed (full log: $log)"; }
  say "built $IMAGE and $ZK_IMAGE"
}

ensure_images() {
  detect_engine
  if [ "$ENGINE" = docker ]; then docker image inspect "$IMAGE" "$ZK_IMAGE" >/dev/null 2>&1 && return; fi
  if [ "$ENGINE" = podman ]; then podman image exists "$IMAGE" && podman image exists "$ZK_IMAGE" && return; fi
  cmd_build
}

# --- cluster ------------------------------------------------------------------------------------------------
container_health() {  # service: prints healthy | unhealthy | starting | "" (no container)
  local id
  id=$(container_id "$1") || true
  [ -n "$id" ] || return 0
  $ENGINE inspect --format '{{.State.Health.Status}}' "$id" 2>/dev/null || true
}

container_id() {  # service
  $ENGINE ps -aq --filter "label=com.docker.compose.project=$GREGOR_DOCKER_PROJECT" \
    --filter "label=com.docker.compose.service=$1" | head -1
}

# podman-compose does not wait on depends_on conditions: poll each service's health ourselves (bounded).
wait_healthy() {  # timeout_s services...
  local timeout="$1"; shift
  local deadline=$((SECONDS + timeout)) s
  for s in "$@"; do
    while [ "$(container_health "$s")" != healthy ]; do
      [ $SECONDS -lt $deadline ] || { "${COMPOSE[@]}" logs "$s" 2>&1 | tail -30; die "$s not healthy after ${timeout}s"; }
      if [ "$ENGINE" = podman ]; then podman healthcheck run "$(container_id "$s")" >/dev/null 2>&1 || true; fi
      sleep 1
    done
  done
}

cmd_up() {
  ensure_images
  say "starting ZooKeeper and brokers 1-3 (project $GREGOR_DOCKER_PROJECT, host ports $GREGOR_DOCKER_PORT_1-$GREGOR_DOCKER_PORT_3)"
  "${COMPOSE[@]}" up -d zookeeper > "$STATE/compose-up.log" 2>&1 || { cat "$STATE/compose-up.log"; die "compose up failed"; }
  wait_healthy 120 zookeeper
  "${COMPOSE[@]}" up -d >> "$STATE/compose-up.log" 2>&1 || { cat "$STATE/compose-up.log"; die "compose up failed"; }
  wait_healthy 180 broker-1 broker-2 broker-3
  cat <<MSG
[docker] gregor is up: brokers at localhost:$GREGOR_DOCKER_PORT_1,localhost:$GREGOR_DOCKER_PORT_2,localhost:$GREGOR_DOCKER_PORT_3 (inside the network: broker-N:29092)
[docker] try:   kcat -b localhost:$GREGOR_DOCKER_PORT_1 -L
[docker]        ${COMPOSE[*]} exec tools gregor cluster info
[docker] stop:  docker/dev-docker.sh down        (add -v to remove the volumes too)
MSG
}

cmd_down() {
  detect_engine
  local args=()
  for a in "$@"; do [ "$a" = "-v" ] && args+=(-v); done
  "${COMPOSE[@]}" down "${args[@]}" > "$STATE/compose-down.log" 2>&1 || { cat "$STATE/compose-down.log"; die "compose down failed"; }
  if [ "$ENGINE" = podman ]; then
    # podman-compose 1.0 leaves the project's network behind.
    local net
    for net in $(podman network ls -q --filter "label=io.podman.compose.project=$GREGOR_DOCKER_PROJECT"); do
      podman network rm "$net" >/dev/null 2>&1 || true
    done
  fi
  say "stopped${args[*]:+ and removed the volumes}"
}

# Removes everything of one compose project (containers, also the tests' extra ones, volumes, networks).
purge_project() {  # project
  local p="$1" compose=(podman-compose)
  [ "$ENGINE" = docker ] && compose=(docker compose)
  "${compose[@]}" -p "$p" -f "$COMPOSE_FILE" down -v -t 5 >/dev/null 2>&1 || true
  remove_listed "rm -f -v" ps -aq --filter "name=^$p"
  remove_listed "volume rm -f" volume ls -q --filter "label=com.docker.compose.project=$p"
  remove_listed "volume rm -f" volume ls -q --filter "name=$p"
  remove_listed "network rm" network ls -q --filter "label=com.docker.compose.project=$p"
}

remove_listed() {  # "remove subcommand" list-args...: removes what `$ENGINE list-args` prints, if anything
  local remove="$1" ids=()
  shift
  mapfile -t ids < <($ENGINE "$@" 2>/dev/null || true)
  # shellcheck disable=SC2086 # the remove subcommand is meant to split into words
  [ ${#ids[@]} -eq 0 ] || $ENGINE $remove "${ids[@]}" >/dev/null 2>&1 || true
}

cmd_test() {
  detect_engine
  ensure_packages kcat
  cmd_build
  local py=python3
  [ -x "$REPO/.venv/bin/python" ] && py="$REPO/.venv/bin/python"
  "$py" -c "import pytest" 2>/dev/null || die "pytest missing for $py (./dev deps installs the venv)"
  # The tests tear down after themselves; this trap also covers a pytest that was killed.
  export GREGOR_DOCKER_TEST_PROJECT="gregortest$$"
  trap 'purge_project "$GREGOR_DOCKER_TEST_PROJECT"' EXIT
  local rc=0
  GREGOR_DOCKER_ENGINE="$ENGINE" GREGOR_DOCKER_BASE="$GREGOR_DOCKER_BASE" CONTAINERS_CONF="${CONTAINERS_CONF:-}" \
    "$py" -m pytest "$REPO/test/docker" -v -p no:cacheprovider "$@" || rc=$?
  return $rc
}

main() {
  local cmd="${1:-help}"; shift || true
  case "$cmd" in
    build) cmd_build ;;
    up) cmd_up ;;
    down) cmd_down "$@" ;;
    test) cmd_test "$@" ;;
    ps) detect_engine; "${COMPOSE[@]}" ps ;;
    purge) detect_engine; purge_project "${1:-$GREGOR_DOCKER_PROJECT}" ;;
    logs) detect_engine; "${COMPOSE[@]}" logs "$@" ;;
    help | -h | --help) sed -n '2,12p' "$0" ;;
    *) die "unknown command '$cmd' (build, up, down, test, ps, logs, purge)" ;;
  esac
}
main "$@"
