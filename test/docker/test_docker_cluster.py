# The compose cluster end to end: health, env configuration, produce/consume across host and network, failover,
# ISR rejoin, group rebalances, bad-input containers, restart durability.
import json
import queue
import re
import subprocess
import threading
import time

import pytest

from container_cluster import IMAGE, wait_until

REPLICATION_HINT = ("needs replication across brokers (controller, LeaderAndIsr, follower fetchers); "
                    "it passes once that work has landed on main and the image is rebuilt")


def kcat_produce(cluster, topic, lines, acks="all", extra=()):
    r = subprocess.run(["kcat", "-b", cluster.bootstrap, "-P", "-t", topic, "-X", f"acks={acks}",
                        "-X", "message.timeout.ms=30000", *extra],
                       input="".join(f"{line}\n" for line in lines), capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, f"kcat produce to {topic} failed: {r.stderr}"


def tools_consume(cluster, topic, count, *extra):
    """Reads `count` records of topic from the beginning inside the compose network (tools container)."""
    r = cluster.tools("consume", topic, "-b", "-c", str(count), "--idle-timeout-ms", "20000", *extra, timeout=90)
    return r.stdout.splitlines()


def broker_service(broker_id):
    return f"broker-{broker_id}"


def kcat_metadata(cluster, port, topic):
    r = subprocess.run(["kcat", "-b", f"localhost:{port}", "-L", "-J", "-t", topic, "-m", "10"], capture_output=True,
                       text=True, timeout=30)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_known_everywhere(cluster, topic, timeout=60):
    """Every broker answers Metadata for topic with a leader per partition (the controller's UpdateMetadata)."""
    def known(port):
        md = kcat_metadata(cluster, port, topic)
        t = md and next((t for t in md["topics"] if t["topic"] == topic), None)
        return bool(t) and "error" not in t and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"])
    wait_until(f"all three brokers to know topic {topic} (the controller sends UpdateMetadata/LeaderAndIsr to every "
               f"broker: {REPLICATION_HINT})", lambda: all(known(p) for p in cluster.ports), timeout=timeout)


def create_topic(cluster, topic, partitions, rf):
    r = cluster.host_cli("topics", "create", topic, "--partitions", str(partitions), "--replication-factor", str(rf),
                         check=False)
    assert r.returncode == 0, f"creating {topic} (replication factor {rf}) failed: {r.stderr}"
    wait_known_everywhere(cluster, topic)


@pytest.fixture(scope="module")
def single_broker(cluster):
    """A lone broker container (broker id 7, own ZooKeeper chroot, own named volume) on the compose network."""
    alias = "single-broker"
    volume = f"{cluster.project}-single-data"
    env = {"KAFKA_BROKER_ID": "7", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181/single",
           "KAFKA_LISTENERS": "PLAINTEXT://0.0.0.0:9092", "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{alias}:9092",
           "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1", "GREGOR_NUM_PARTITIONS": "2"}
    name = cluster.start_container("single", env=env, alias=alias, volume=volume)
    bootstrap = f"{alias}:9092"
    wait_single_ready(cluster, name, bootstrap)
    return name, bootstrap


def wait_single_ready(cluster, name, bootstrap):
    def ready():
        r = cluster.tools("--brokers", bootstrap, "--format", "json", "cluster", "info", check=False, timeout=30)
        return r.returncode == 0 and [b["id"] for b in json.loads(r.stdout)["brokers"]] == [7]
    try:
        wait_until(f"the single broker container {name} to answer", ready, timeout=90)
    except AssertionError:
        logs = cluster.run([cluster.engine, "logs", "--tail", "40", name], check=False)
        raise AssertionError(f"single broker not ready:\n{logs.stdout}{logs.stderr}")


def test_single_broker_container_produce_consume(cluster, single_broker):
    """The image end to end without replication: env configuration, entrypoint, produce and consume in the network."""
    name, bootstrap = single_broker
    cluster.tools("--brokers", bootstrap, "topics", "create", "solo", "--partitions", "2", "--replication-factor", "1")
    lines = [f"solo-{i}" for i in range(300)]
    cluster.exec("tools", "gregor", "--brokers", bootstrap, "produce", "solo", input="".join(x + "\n" for x in lines))
    r = cluster.tools("--brokers", bootstrap, "consume", "solo", "-b", "-c", str(len(lines)), "--idle-timeout-ms",
                      "20000", timeout=90)
    assert sorted(r.stdout.splitlines()) == sorted(lines)
    meta = cluster.run([cluster.engine, "exec", name, "cat", "/var/lib/gregor/data/meta.properties"]).stdout
    assert "broker.id=7" in meta
    # The chroot of KAFKA_ZOOKEEPER_CONNECT holds this broker alone.
    r = cluster.exec("zookeeper", "/usr/share/zookeeper/bin/zkCli.sh", "-server", "127.0.0.1:2181",
                     "ls", "/single/brokers/ids")
    assert "[7]" in r.stdout, r.stdout[-2000:]


def test_single_broker_restart_keeps_data_and_id(cluster, single_broker):
    name, bootstrap = single_broker
    cluster.tools("--brokers", bootstrap, "topics", "create", "kept", "--partitions", "1", "--replication-factor", "1")
    lines = [f"kept-{i}" for i in range(400)]
    cluster.exec("tools", "gregor", "--brokers", bootstrap, "produce", "kept", input="".join(x + "\n" for x in lines))
    meta_before = cluster.run([cluster.engine, "exec", name, "cat", "/var/lib/gregor/data/meta.properties"]).stdout
    cluster.run([cluster.engine, "restart", "-t", "10", name], timeout=120)
    wait_single_ready(cluster, name, bootstrap)
    meta_after = cluster.run([cluster.engine, "exec", name, "cat", "/var/lib/gregor/data/meta.properties"]).stdout
    assert meta_after == meta_before and "broker.id=7" in meta_after
    r = cluster.tools("--brokers", bootstrap, "consume", "kept", "-b", "-c", str(len(lines)), "--idle-timeout-ms",
                      "20000", timeout=90)
    assert r.stdout.splitlines() == lines


def test_three_brokers_healthy_and_registered(cluster):
    for s in ("zookeeper", "broker-1", "broker-2", "broker-3"):
        assert cluster.health(s) == "healthy", f"{s} not healthy:\n{cluster.logs(s)}"
    # The registrations are in ZooKeeper at once; a broker's Metadata lists the others once the controller told it.
    wait_until(f"Metadata to list brokers 1, 2 and 3 ({REPLICATION_HINT})",
               lambda: sorted(b["id"] for b in cluster.cluster_info()["brokers"]) == [1, 2, 3], timeout=60)
    # The chroot of KAFKA_ZOOKEEPER_CONNECT (zookeeper:2181/gregor) holds the registrations. Polled: this
    # machine sometimes stalls every process for seconds, ZooKeeper then expires the brokers' sessions and each
    # broker registers again a moment later.
    wait_until("/gregor/brokers/ids to hold brokers 1, 2 and 3",
               lambda: "[1, 2, 3]" in cluster.exec("zookeeper", "/usr/share/zookeeper/bin/zkCli.sh", "-server",
                                                   "127.0.0.1:2181", "ls", "/gregor/brokers/ids").stdout, timeout=60)


def test_listeners_from_environment(cluster):
    """KAFKA_LISTENERS / ADVERTISED_LISTENERS / SECURITY_PROTOCOL_MAP: each side sees its own listener's address."""
    external = wait_until(f"Metadata to list brokers 1, 2 and 3 ({REPLICATION_HINT})",
                          lambda: (lambda m: m if len(m) == 3 else None)(
                              {b["id"]: (b["host"], b["port"]) for b in cluster.cluster_info()["brokers"]}), timeout=60)
    assert external == {1: ("localhost", cluster.ports[0]), 2: ("localhost", cluster.ports[1]),
                        3: ("localhost", cluster.ports[2])}
    internal = json.loads(cluster.tools("--format", "json", "cluster", "info").stdout)
    assert {b["id"]: (b["host"], b["port"]) for b in internal["brokers"]} == {
        1: ("broker-1", 29092), 2: ("broker-2", 29092), 3: ("broker-3", 29092)}
    # The registration in ZooKeeper carries both endpoints and the protocol map, as Kafka writes it.
    r = cluster.exec("zookeeper", "/usr/share/zookeeper/bin/zkCli.sh", "-server", "127.0.0.1:2181",
                     "get", "/gregor/brokers/ids/2")
    line = next(x for x in r.stdout.splitlines() if x.startswith("{"))
    reg = json.loads(line)
    assert sorted(reg["endpoints"]) == sorted(["INTERNAL://broker-2:29092", f"EXTERNAL://localhost:{cluster.ports[1]}"])
    assert reg["listener_security_protocol_map"] == {"INTERNAL": "PLAINTEXT", "EXTERNAL": "PLAINTEXT"}


def test_inter_broker_listener_from_environment(cluster):
    """KAFKA_INTER_BROKER_LISTENER_NAME=INTERNAL: the controller reaches the brokers on broker-N:29092.

    The EXTERNAL addresses (localhost:PORT) lead nowhere from inside another container, so brokers can only talk over
    INTERNAL: a full ISR in test_replicated_topic_produce_consume (followers fetching) is the data-path proof."""
    info = cluster.cluster_info()
    controller = info["controller_id"]
    assert controller in (1, 2, 3), info
    # Every broker learns the whole cluster from the controller (UpdateMetadata over the inter-broker listener):
    # asked on its own EXTERNAL port alone, each one lists all three brokers.
    for i, port in enumerate(cluster.ports, start=1):
        def sees_all(port=port):
            out = json.loads(cluster.run([cluster.cli, "--brokers", f"localhost:{port}", "--format", "json",
                                          "cluster", "info"]).stdout)
            return sorted(b["id"] for b in out["brokers"]) == [1, 2, 3]
        wait_until(f"broker {i} to know all three brokers ({REPLICATION_HINT})", sees_all, timeout=60)


def test_produce_from_host_consume_in_network(cluster):
    """Single-replica topic: kcat on the published ports, the gregor CLI inside the compose network."""
    create_topic(cluster, "plain", 3, 1)
    lines = [f"plain-{i}" for i in range(200)]
    kcat_produce(cluster, "plain", lines, acks="1")
    got = tools_consume(cluster, "plain", len(lines))
    assert sorted(got) == sorted(lines)
    # And the other way round: produced inside, read on the host with kcat.
    cluster.exec("tools", "gregor", "produce", "plain", "-p", "0", input="from-tools-1\nfrom-tools-2\n")
    r = subprocess.run(["kcat", "-b", cluster.bootstrap, "-C", "-t", "plain", "-p", "0", "-o", "beginning", "-e",
                        "-q"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-2:] == ["from-tools-1", "from-tools-2"]


def leader_of(cluster, topic, partition=0):
    p = next(p for p in cluster.describe(topic)["partitions"] if p["partition"] == partition)
    return p


def test_replicated_topic_produce_consume(cluster):
    create_topic(cluster, "replicated", 3, 3)
    # Followers fetch from leaders over the inter-broker listener (INTERNAL); the ISR fills only if that works.
    wait_until(f"every replica of 'replicated' in the ISR ({REPLICATION_HINT})",
               lambda: all(len(p["isr"]) == 3 for p in cluster.describe("replicated")["partitions"]), timeout=60)
    lines = [f"rep-{i}" for i in range(300)]
    kcat_produce(cluster, "replicated", lines, acks="all")
    assert sorted(tools_consume(cluster, "replicated", len(lines))) == sorted(lines)


def test_leader_failover_and_isr_rejoin(cluster):
    topic = "failover"
    create_topic(cluster, topic, 1, 3)
    wait_until(f"full ISR for {topic} ({REPLICATION_HINT})", lambda: len(leader_of(cluster, topic)["isr"]) == 3,
               timeout=60)
    kcat_produce(cluster, topic, [f"before-{i}" for i in range(100)])
    old = leader_of(cluster, topic)["leader"]
    service = broker_service(old)
    cluster.compose("stop", "-t", "10", service)
    try:
        new = wait_until(f"a new leader for {topic} after stopping broker {old} ({REPLICATION_HINT})",
                         lambda: (lambda p: p["leader"] if p["leader"] not in (old, -1) and old not in p["isr"]
                                  else None)(leader_of(cluster, topic)), timeout=90)
        assert new in (1, 2, 3) and new != old
        # Production continues with acks=all on the two remaining replicas (min.insync.replicas=2).
        kcat_produce(cluster, topic, [f"after-{i}" for i in range(100)])
        got = tools_consume(cluster, topic, 200)
        assert sorted(got) == sorted([f"before-{i}" for i in range(100)] + [f"after-{i}" for i in range(100)])
    finally:
        cluster.compose("start", service)
        cluster.wait_healthy(service)
    wait_until(f"broker {old} back in the ISR of {topic} ({REPLICATION_HINT})",
               lambda: old in leader_of(cluster, topic)["isr"], timeout=120)


@pytest.mark.parametrize("target", ["single-broker", "three-brokers"])
def test_group_rebalance_seen_by_groups_watch(cluster, single_broker, target):
    """Two consumers of one group, each in its own container; `gregor groups watch` in the tools container shows
    the join, the rebalance to two members and the one after a member leaves. On the lone broker container this needs
    no replication; on the three brokers the topic and __consumer_offsets have replication factor 3."""
    help_all = cluster.tools("--help-all").stdout
    assert re.search(r"^groups\b", help_all, re.M) and "watch" in help_all, (
        "`gregor groups watch` is not in this image's CLI yet (the consumer-group commands are being built; "
        "rebuild the image once they land)")
    topic, group = f"grouped-{target}", f"docker-group-{target}"
    if target == "single-broker":
        bootstrap = single_broker[1]
        cluster.tools("--brokers", bootstrap, "topics", "create", topic, "--partitions", "4", "--replication-factor",
                      "1")
    else:
        bootstrap = "broker-1:29092,broker-2:29092"
        create_topic(cluster, topic, 4, 3)
    watch = subprocess.Popen(
        [cluster.engine, "exec", cluster.container("tools"), "gregor", "--brokers", bootstrap, "--format", "json",
         "groups", "watch", group, "--interval-ms", "200", "--timeout-ms", "150000"],
        env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events, watch_stderr, consumers = [], [], []
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in watch.stdout], daemon=True).start()
    threading.Thread(target=lambda: [watch_stderr.append(x) for x in watch.stderr], daemon=True).start()

    def diagnostics():
        logs = "".join(f"\n--- {c} ---\n{cluster.logs_of(c, tail=30)}" for c in consumers)
        return f"watch exit code {watch.poll()}, watch stderr:\n{''.join(watch_stderr[-30:])}{logs}"

    def next_event_matching(what, pred, timeout=90):
        """The first watch event (seen or coming within timeout) that satisfies pred."""
        deadline = time.monotonic() + timeout
        for e in events:
            if pred(e):
                return e
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            e = json.loads(line)
            events.append(e)
            if pred(e):
                return e
        raise AssertionError(f"groups watch never showed {what} within {timeout}s; events: {events}; "
                             f"{diagnostics()}")

    def stable_with(n):
        return lambda e: e["state"] == "Stable" and e["members"] == n and all(e["assignment"].values())

    try:
        consumer_args = ["gregor", "--brokers", bootstrap, "consume", topic, "-g", group]
        a = cluster.start_container("consumer-a", consumer_args)
        consumers.append(a)
        one = next_event_matching("one stable member", stable_with(1))
        b = cluster.start_container("consumer-b", consumer_args)
        consumers.append(b)
        two = next_event_matching("two stable members sharing the partitions", stable_with(2))
        assert two["rebalances"] > one["rebalances"]
        shares = [json.dumps(parts, sort_keys=True) for parts in two["assignment"].values()]
        assert len(shares) == 2 and shares[0] != shares[1], two
        cluster.remove_container(a)
        back = next_event_matching("one member again after consumer a left", lambda e: e["members"] == 1
                                   and e["state"] == "Stable" and e["rebalances"] > two["rebalances"])
        assert back["assignment"], back
        cluster.remove_container(b)
    finally:
        watch.kill()
        watch.wait(timeout=30)


@pytest.mark.parametrize("env, variable", [
    ({"KAFKA_BROKER_ID": "1"}, "KAFKA_ZOOKEEPER_CONNECT"),
    ({"KAFKA_BROKER_ID": "1", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper"}, "KAFKA_ZOOKEEPER_CONNECT"),
    ({"KAFKA_BROKER_ID": "1", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:99999/gregor"}, "KAFKA_ZOOKEEPER_CONNECT"),
    ({"KAFKA_BROKER_ID": "1", "KAFKA_ZOOKEEPER_CONNECT": "zoo keeper:2181"}, "KAFKA_ZOOKEEPER_CONNECT"),
    ({"KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181/gregor"}, "KAFKA_BROKER_ID"),
    ({"KAFKA_BROKER_ID": "one", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181/gregor"}, "KAFKA_BROKER_ID"),
    ({"KAFKA_BROKER_ID": "-4", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181/gregor"}, "KAFKA_BROKER_ID"),
    ({"GREGOR_BROKER_ID": "99999999999", "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181"}, "GREGOR_BROKER_ID"),
])
def test_bad_input_container_exits_naming_variable(cluster, env, variable):
    cmd = [cluster.engine, "run", "--rm", "--network", "none"]
    for k, v in env.items():
        cmd += ["-e", f"{k}={v}"]
    started = time.monotonic()
    r = cluster.run(cmd + [IMAGE], check=False, timeout=60)
    assert r.returncode != 0, f"container started with {env}: {r.stdout}{r.stderr}"
    assert variable in r.stderr, r.stderr
    assert time.monotonic() - started < 30, "a bad setting should stop the container at once"


def test_restart_keeps_data_and_broker_id(cluster):
    topic = "durable"
    create_topic(cluster, topic, 1, 1)
    lines = [f"durable-{i}" for i in range(500)]
    kcat_produce(cluster, topic, lines, acks="1")
    leader = leader_of(cluster, topic)["leader"]
    service = broker_service(leader)
    meta_before = cluster.exec(service, "cat", "/var/lib/gregor/data/meta.properties").stdout
    assert f"broker.id={leader}" in meta_before
    container_before = cluster.container(service)
    cluster.compose("restart", service, timeout=120)
    assert cluster.container(service) == container_before, "restart must keep the container (and its volume)"
    cluster.wait_healthy(service)
    meta_after = cluster.exec(service, "cat", "/var/lib/gregor/data/meta.properties").stdout
    assert meta_after == meta_before
    wait_until(f"broker {leader} to lead {topic} again", lambda: leader_of(cluster, topic)["leader"] == leader,
               timeout=60)
    assert tools_consume(cluster, topic, len(lines)) == lines


def test_recreated_container_keeps_data_from_volume(cluster):
    """down without -v then up: new containers, same named volumes, same data and ids."""
    topic = "recreated"
    create_topic(cluster, topic, 1, 1)
    lines = [f"kept-{i}" for i in range(50)]
    kcat_produce(cluster, topic, lines, acks="1")
    leader = leader_of(cluster, topic)["leader"]
    before = cluster.container(broker_service(leader))
    for name in list(cluster.extra_containers):  # nothing else may hold the compose network during down
        cluster.remove_container(name)
    cluster.compose("down", "-t", "10", timeout=300)
    cluster.dev_docker("up", timeout=600)
    assert cluster.container(broker_service(leader)) != before
    wait_until(f"{topic} led by broker {leader} again", lambda: leader_of(cluster, topic)["leader"] == leader,
               timeout=60)
    assert tools_consume(cluster, topic, len(lines)) == lines
