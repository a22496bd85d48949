"""Consumer groups (classic protocol): subscribe, commit, and resume from the committed offset."""
import pytest

import runners
from records import assert_same, full_set, text_set
from runners import require

# Needs the group coordinator (FindCoordinator, JoinGroup, SyncGroup, OffsetCommit/Fetch):
# deselect with -m "not groups" while a broker lacks it.
pytestmark = pytest.mark.groups


def produce_set(broker, topic, workdir, recs):
    require("java")
    runners.produce("java", broker.bootstrap, topic, "lz4", recs, workdir)


def assert_continues(expected, got, start: int) -> None:
    """got is expected[start:start+len(got)] with the right offsets."""
    assert [r.offset for r in got] == list(range(start, start + len(got)))
    assert_same([e for e in expected[start:start + len(got)]],
                [r.__class__(r.timestamp, r.key, r.value, r.headers, r.offset - start) for r in got])


@pytest.mark.parametrize("client", runners.GROUP_CLIENTS)
def test_group_commit_and_resume(client, module_broker, topic, workdir):
    require(client)
    expected = full_set(30)
    produce_set(module_broker, topic, workdir, expected)
    group = f"g-{topic}"
    first = runners.group_consume(client, module_broker.bootstrap, topic, group, 12)
    assert_continues(expected, first, 0)
    # A new member of the same group starts where the last commit left off.
    second = runners.group_consume(client, module_broker.bootstrap, topic, group, 18)
    assert_continues(expected, second, 12)


def test_group_offsets_are_shared_across_clients(module_broker, topic, workdir):
    """Committed offsets live in the broker, not the client: four clients take turns."""
    for c in runners.GROUP_CLIENTS:
        require(c)
    expected = text_set(40)
    produce_set(module_broker, topic, workdir, expected)
    group = f"g-{topic}"
    for i, client in enumerate(["confluent", "kafka-python", "franz-go", "java"]):
        got = runners.group_consume(client, module_broker.bootstrap, topic, group, 10)
        assert_continues(expected, got, 10 * i)
