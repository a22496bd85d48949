"""Test harness: real ZooKeeper and broker processes on loopback, plus a raw Kafka client."""
from .broker import BrokerExited, BrokerProcess, GregorBroker, KafkaBroker, broker_class
from .cluster import Cluster
from .paths import REPO, build_dir, gregor_broker_binary
from .ports import free_port
from .process import ManagedProcess
from .wait import WaitTimeout, wait_until
from .wire import KafkaConnection
from .zookeeper import ZooKeeper

__all__ = [
    "BrokerExited", "BrokerProcess", "Cluster", "GregorBroker", "KafkaBroker", "KafkaConnection",
    "ManagedProcess", "REPO", "WaitTimeout", "ZooKeeper", "broker_class", "build_dir",
    "free_port", "gregor_broker_binary", "wait_until",
]
