"""The seed's SimpleProducer (default settings: idempotence on, acks=all) against the broker."""
import runners
from runners import require


def test_simple_producer_then_assign_consumer(module_broker):
    require("java")
    first = runners.run(runners.java("SimpleProducer", module_broker.bootstrap),
                        "SimpleProducer").split()
    second = runners.run(runners.java("SimpleProducer", module_broker.bootstrap, "test",
                                      "second message"), "SimpleProducer").split()
    # Topic "test" is auto-created with one partition; the two records are offsets 0 and 1.
    assert first == ["0", "0"]
    assert second == ["0", "1"]
    out = runners.run(runners.java("SimpleConsumer", module_broker.bootstrap, "test", "2"),
                      "SimpleConsumer")
    assert out.splitlines() == ["0 testMessage", "1 second message"]
