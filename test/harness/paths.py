"""Where things live: repository root, build dir (GREGOR_BUILD_DIR), .state/ caches."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / ".state"
KAFKA_LIBS = STATE / "kafka-3.9" / "libs"
COMPAT_BIN = STATE / "compat"
JAVA_JAR = REPO / "test" / "compat" / "java" / "target" / "compat-java-all.jar"
ZK_SERVER_SH = Path("/usr/share/zookeeper/bin/zkServer.sh")


def build_dir() -> Path:
    """The meson build dir holding broker/gregor-broker; env GREGOR_BUILD_DIR overrides."""
    return Path(os.environ.get("GREGOR_BUILD_DIR", REPO / "build")).resolve()


def gregor_broker_binary() -> Path:
    return build_dir() / "broker" / "gregor-broker"
