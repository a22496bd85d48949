# The compose cluster under test: runs compose, engine and CLI commands; fixture bringing it up on free ports.
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV_DOCKER = REPO / "docker" / "dev-docker.sh"
COMPOSE_FILE = REPO / "docker" / "docker-compose.yml"
IMAGE = "localhost/gregor:latest"
STATE = REPO / ".state" / "docker"


def wait_until(what, predicate, timeout=60.0, interval=0.5):
    """Polls predicate until it returns a truthy value (returned) or timeout passes (AssertionError naming what)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - kept as the reason shown on time-out
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def free_port_block(count):
    """First port of `count` consecutive ports that are free on 127.0.0.1 right now."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        socks = []
        try:
            for p in range(base, base + count):
                t = socket.socket()
                socks.append(t)
                t.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for t in socks:
                t.close()
    raise RuntimeError("no block of free ports found")


class Cluster:
    """One compose project: runs compose, engine and CLI commands against it."""

    def __init__(self, engine, project, port_base):
        self.engine = engine
        self.project = project
        self.ports = [port_base, port_base + 1, port_base + 2]
        self.env = dict(os.environ)
        self.env.update({
            "GREGOR_DOCKER_ENGINE": engine,
            "GREGOR_DOCKER_PROJECT": project,
            "GREGOR_DOCKER_PORT_BASE": str(port_base),
            "GREGOR_DOCKER_PORT_1": str(self.ports[0]),
            "GREGOR_DOCKER_PORT_2": str(self.ports[1]),
            "GREGOR_DOCKER_PORT_3": str(self.ports[2]),
        })
        if engine == "podman":
            self.env.setdefault("CONTAINERS_CONF", str(STATE / "containers.conf"))
        self.extra_containers = []
        self.extra_volumes = []
        self.cli = None  # host path of the gregor CLI copied out of the image

    # --- running things ---------------------------------------------------------------------------------
    def run(self, args, timeout=120, check=True, input=None):
        r = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} exited {r.returncode}\nstdout: {r.stdout[-3000:]}\n"
                                 f"stderr: {r.stderr[-3000:]}")
        return r

    def compose(self, *args, timeout=300, check=True):
        base = ["docker", "compose"] if self.engine == "docker" else ["podman-compose"]
        return self.run(base + ["-p", self.project, "-f", str(COMPOSE_FILE), *args], timeout=timeout, check=check)

    def dev_docker(self, *args, timeout=600):
        return self.run([str(DEV_DOCKER), *args], timeout=timeout)

    def container(self, service):
        r = self.run([self.engine, "ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}",
                      "--filter", f"label=com.docker.compose.service={service}"])
        ids = r.stdout.split()
        assert ids, f"no container for service {service} in project {self.project}"
        return ids[0]

    def exec(self, service, *args, timeout=120, check=True, input=None):
        flags = ["-i"] if input is not None else []
        return self.run([self.engine, "exec", *flags, self.container(service), *args], timeout=timeout, check=check,
                        input=input)

    def tools(self, *args, timeout=120, check=True):
        """The gregor CLI in the tools container (inside the compose network, INTERNAL listeners)."""
        return self.exec("tools", "gregor", *args, timeout=timeout, check=check)

    def host_cli(self, *args, timeout=120, check=True):
        """The image's gregor CLI run on the host against the published EXTERNAL ports."""
        return self.run([self.cli, "--brokers", self.bootstrap, *args], timeout=timeout, check=check)

    @property
    def bootstrap(self):
        return ",".join(f"localhost:{p}" for p in self.ports)

    def network(self):
        r = self.run([self.engine, "inspect", "--format", "{{json .NetworkSettings.Networks}}",
                      self.container("broker-1")])
        return sorted(json.loads(r.stdout).keys())[0]

    def start_container(self, name_hint, args=(), env=None, network=True, alias=None, volume=None):
        """Starts a detached container from the broker image on the compose network; removed at teardown."""
        name = f"{self.project}-{name_hint}-{uuid.uuid4().hex[:6]}"
        cmd = [self.engine, "run", "-d", "--name", name]
        if network:
            cmd += ["--network", self.network()]
            if alias:
                cmd += ["--network-alias", alias]
        if volume:
            self.extra_volumes.append(volume)
            cmd += ["-v", f"{volume}:/var/lib/gregor"]
        for k, v in (env or {}).items():
            cmd += ["-e", f"{k}={v}"]
        self.extra_containers.append(name)
        self.run(cmd + [IMAGE, *args])
        return name

    def remove_container(self, name):
        # -v: the image declares a VOLUME; without it each container leaves an anonymous volume behind.
        timeout = ["-t", "2"] if self.engine == "podman" else []  # docker rm -f kills at once and has no -t
        self.run([self.engine, "rm", "-f", "-v", *timeout, name], check=False, timeout=60)

    # --- state -------------------------------------------------------------------------------------------
    def health(self, service):
        cid = self.container(service)
        if self.engine == "podman":
            # Without systemd nothing runs podman's health checks on schedule: run one now.
            self.run(["podman", "healthcheck", "run", cid], check=False, timeout=30)
        r = self.run([self.engine, "inspect", "--format", "{{.State.Health.Status}}", cid], check=False)
        return r.stdout.strip()

    def running(self, service):
        r = self.run([self.engine, "inspect", "--format", "{{.State.Running}}", self.container(service)])
        return r.stdout.strip() == "true"

    def wait_healthy(self, *services, timeout=180):
        for s in services:
            wait_until(f"{s} healthy", lambda s=s: self.health(s) == "healthy", timeout=timeout, interval=1)

    def describe(self, topic, via_tools=False):
        args = ("--format", "json", "topics", "describe", topic)
        r = self.tools(*args) if via_tools else self.host_cli(*args)
        out = json.loads(r.stdout)
        return out[0] if isinstance(out, list) else out

    def cluster_info(self):
        return json.loads(self.host_cli("--format", "json", "cluster", "info").stdout)

    def logs(self, service, tail=60):
        return self.logs_of(self.container(service), tail)

    def logs_of(self, container, tail=60):
        r = self.run([self.engine, "logs", "--tail", str(tail), container], check=False)
        return r.stdout + r.stderr


def detect_engine():
    engine = os.environ.get("GREGOR_DOCKER_ENGINE")
    if engine:
        return engine
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        return "docker"
    if shutil.which("podman"):
        return "podman"
    return None


@pytest.fixture(scope="session")
def cluster():
    engine = detect_engine()
    if engine is None:
        pytest.fail("neither a Docker engine nor podman is available (run docker/dev-docker.sh test, which installs podman)")
    project = os.environ.get("GREGOR_DOCKER_TEST_PROJECT") or f"gregortest{os.getpid()}"
    c = Cluster(engine, project, free_port_block(3))
    try:
        c.dev_docker("up", timeout=900)
        c.cli = str(copy_cli_out_of_image(c))
        yield c
    finally:
        for name in c.extra_containers:
            c.remove_container(name)
        for v in c.extra_volumes:
            c.run([engine, "volume", "rm", "-f", v], check=False)
        c.compose("down", "-v", "-t", "5", check=False, timeout=300)
        # down -v removes the named volumes; make sure, as a failed up may leave some behind.
        r = c.run([engine, "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}"], check=False)
        for v in r.stdout.split():
            c.run([engine, "volume", "rm", "-f", v], check=False)
        r = c.run([engine, "network", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}"], check=False)
        for n in r.stdout.split():
            c.run([engine, "network", "rm", n], check=False)
        shutil.rmtree(STATE / f"cli-{project}", ignore_errors=True)


def copy_cli_out_of_image(c):
    """The host side uses the very gregor binary of the image (the host is Debian 12 with the same libraries)."""
    dest = STATE / f"cli-{c.project}"
    dest.mkdir(parents=True, exist_ok=True)
    name = f"{c.project}-cli-copy"
    c.run([c.engine, "create", "--name", name, IMAGE, "true"])
    try:
        c.run([c.engine, "cp", f"{name}:/usr/local/bin/gregor", str(dest / "gregor")])
    finally:
        c.run([c.engine, "rm", "-f", "-v", name], check=False)
    return dest / "gregor"
