"""A real ZooKeeper server (Debian package) in a temp dir on a free loopback port."""
import os
import socket
from pathlib import Path

from .paths import ZK_SERVER_SH
from .ports import free_port
from .process import ManagedProcess
from .wait import wait_until


def four_letter_word(port: int, word: str, timeout: float = 2.0) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            b = s.recv(4096)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks).decode(errors="replace")


class ZooKeeperExited(AssertionError):
    pass


class ZooKeeper:
    """Standalone ZooKeeper. tickTime 500 ms so sessions as short as 1 s are allowed (ZooKeeper clamps
    session timeouts to 2 ticks at least); maxSessionTimeout lifts the default cap of 20 ticks (10 s) so a
    test can also ask for Kafka's 18 s or longer."""

    def __init__(self, tmp_path: Path, port: int | None = None, tick_ms: int = 500,
                 heap: str = "-Xmx256m"):
        self.dir = Path(tmp_path) / "zookeeper"
        self.port = port or free_port()
        self.tick_ms = tick_ms
        self.heap = heap
        self.cfg = self.dir / "zoo.cfg"
        self.log_dir = self.dir / "logs"
        self.process: ManagedProcess | None = None

    @property
    def connect(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.cfg.write_text("\n".join([
            f"tickTime={self.tick_ms}",
            f"dataDir={self.dir / 'data'}",
            f"clientPort={self.port}",
            "maxSessionTimeout=60000",
            "clientPortAddress=127.0.0.1",
            "maxClientCnxns=0",
            "# stop the AdminServer from taking port 8080",
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr,mntr,stat",
            "",
        ]))

    def start(self, timeout: float = 30.0) -> "ZooKeeper":
        self._write_config()
        env = dict(os.environ)
        # zkEnv.sh hard-codes ZOO_LOG_DIR=/var/log/zookeeper; JVMFLAGS comes later on
        # the java command line, so its -D wins and logs stay in the temp dir.
        env["ZOO_LOG_DIR"] = str(self.log_dir)
        env["JVMFLAGS"] = (f"{self.heap} -Dzookeeper.log.dir={self.log_dir} "
                           "-Dzookeeper.root.logger=INFO,CONSOLE")
        env["JMXDISABLE"] = "true"
        self.process = ManagedProcess(["bash", str(ZK_SERVER_SH), "start-foreground",
                                       str(self.cfg)], self.dir / "zookeeper.out", env=env)
        self.process.start()
        self.wait_ready(timeout)
        return self

    def ruok(self) -> bool:
        try:
            return four_letter_word(self.port, "ruok") == "imok"
        except OSError:
            return False

    def serving(self) -> bool:
        """imok only says the process runs; srvr also says whether it serves sessions yet."""
        try:
            return self.ruok() and "Mode:" in four_letter_word(self.port, "srvr")
        except OSError:
            return False

    def wait_ready(self, timeout: float = 30.0) -> None:
        def ready() -> bool:
            if not self.process.running():
                raise ZooKeeperExited(f"ZooKeeper exited:\n{self.process.log_tail()}")
            return self.serving()
        try:
            wait_until(ready, timeout, f"ZooKeeper on {self.connect} to answer imok", 0.1,
                       fatal=(ZooKeeperExited,))
        except Exception:
            self.stop()
            raise

    def client(self, chroot: str = "", timeout: float = 10.0):
        """A started kazoo client (caller stops it), e.g. to read /brokers/ids or /controller.
        Prefer the zk_client fixture, which stops it for you."""
        from kazoo.client import KazooClient
        c = KazooClient(hosts=self.connect + chroot, timeout=timeout)
        c.start(timeout=timeout)
        return c

    def read_json(self, path: str, chroot: str = ""):
        """The JSON payload of one znode (Kafka's layout), or None if it does not exist."""
        import json
        c = self.client(chroot)
        try:
            if not c.exists(path):
                return None
            data, _ = c.get(path)
            return json.loads(data) if data else None
        finally:
            c.stop()
            c.close()

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def kill(self) -> None:
        if self.process:
            self.process.kill()

    def running(self) -> bool:
        return bool(self.process and self.process.running())

    def __enter__(self) -> "ZooKeeper":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
