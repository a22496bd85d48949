/* rdkafka-perf: librdkafka's producer as a load tool for ./dev bench, printing the same final line as Kafka's
 * kafka-producer-perf-test (records/sec, MB/sec, avg/max and 50th/95th/99th/99.9th latency), so the benchmark
 * can put `gregor perf produce` beside librdkafka with the same settings in the same run (issue 7's goal).
 *
 * Usage: rdkafka-perf <bootstrap> <topic> <num-records> <record-size> [librdkafka property=value ...]
 * Latency of a record = delivery report time - send time (as ProducerPerformance measures it). */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int32_t *latencies_ms; /* one per delivered record */
static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) fprintf(stderr, "rdkafka-perf: delivery failed: %s\n", rd_kafka_err2str(m->err));
    return;
  }
  int64_t sent = (int64_t)(intptr_t)m->_private;
  latencies_ms[delivered++] = (int32_t)((now_ns() - sent) / 1000000);
}

static int cmp_int(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: rdkafka-perf <bootstrap> <topic> <num-records> <record-size> [prop=value ...]\n");
    return 2;
  }
  long records = atol(argv[3]);
  size_t size = (size_t)atol(argv[4]);
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "queue.buffering.max.kbytes", "32768", err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "rdkafka-perf: %s\n", err);
    return 2;
  }
  for (int i = 5; i < argc; ++i) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) {
      fprintf(stderr, "rdkafka-perf: property '%s' is not name=value\n", argv[i]);
      return 2;
    }
    *eq = '\0';
    if (rd_kafka_conf_set(conf, argv[i], eq + 1, err, sizeof err) != RD_KAFKA_CONF_OK) {
      fprintf(stderr, "rdkafka-perf: %s\n", err);
      return 2;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == NULL) {
    fprintf(stderr, "rdkafka-perf: %s\n", err);
    return 2;
  }
  latencies_ms = calloc((size_t)records, sizeof *latencies_ms);
  char *payload = malloc(size);
  for (size_t i = 0; i < size; ++i) payload[i] = (char)('A' + i % 26);
  int64_t start = now_ns();
  for (long i = 0; i < records; ++i) {
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_PARTITION(0),
                                                RD_KAFKA_V_VALUE(payload, size),
                                                RD_KAFKA_V_OPAQUE((void *)(intptr_t)now_ns()), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "rdkafka-perf: produce failed: %s\n", rd_kafka_err2str(e));
        return 1;
      }
      rd_kafka_poll(rk, 1); /* back-pressure, as Java's send() blocks on buffer.memory */
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 300000);
  double seconds = (double)(now_ns() - start) / 1e9;
  rd_kafka_destroy(rk);
  if (failed > 0 || delivered != records) {
    fprintf(stderr, "rdkafka-perf: %ld of %ld records delivered, %ld failed\n", delivered, records, failed);
    return 1;
  }
  qsort(latencies_ms, (size_t)delivered, sizeof *latencies_ms, cmp_int);
  double sum = 0;
  for (long i = 0; i < delivered; ++i) sum += latencies_ms[i];
#define PCT(p) latencies_ms[(long)((double)(delivered - 1) * (p))]
  printf("%ld records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, "
         "%d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
         records, (double)records / seconds, (double)records * (double)size / 1048576.0 / seconds,
         sum / (double)delivered, (double)latencies_ms[delivered - 1], PCT(0.5), PCT(0.95), PCT(0.99),
         PCT(0.999));
  free(payload);
  free(latencies_ms);
  return 0;
}
