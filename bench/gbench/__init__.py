"""gregor vs Apache Kafka 3.9 benchmark harness (bench/run.sh runs bench/bench.py)."""
