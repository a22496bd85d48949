# pytest fixtures for the container tests (the helpers live in container_cluster.py, a name unique in test/).
from container_cluster import cluster  # noqa: F401 - re-exported as a fixture
