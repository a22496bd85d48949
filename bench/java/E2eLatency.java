// Open-loop end-to-end latency (W4): produce at a fixed rate, consume the same partition, time from intended send.
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Usage: E2eLatency BOOTSTRAP TOPIC RATE MEASURE_SECONDS WARMUP_SECONDS RECORD_SIZE [producer k=v ...]
 *
 * Each record carries the System.nanoTime() of its intended send time (t0 + i / RATE), so a stalled
 * producer or broker shows up as latency (no coordinated omission, like newer OpenMessaging Benchmark).
 * Prints one JSON line with the percentiles (ms) of records whose intended time is after the warm-up.
 */
public final class E2eLatency {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1];
    double rate = Double.parseDouble(args[2]);
    double measureSeconds = Double.parseDouble(args[3]), warmupSeconds = Double.parseDouble(args[4]);
    int size = Integer.parseInt(args[5]);
    TopicPartition tp = new TopicPartition(topic, 0);

    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("enable.auto.commit", "false");
    cp.put("auto.offset.reset", "latest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.assign(List.of(tp));
    consumer.seekToEnd(List.of(tp));
    consumer.position(tp);  // resolve the end offset now, before anything is produced

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", "1");
    pp.put("linger.ms", "0");
    pp.put("batch.size", "16384");
    pp.put("enable.idempotence", "false");
    for (int i = 6; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      pp.put(kv[0], kv[1]);
    }
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());

    long total = (long) (rate * (measureSeconds + warmupSeconds));
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime() + 200_000_000L;  // let the consumer's first fetch get parked
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long[] latencies = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
    AtomicLong measured = new AtomicLong();
    AtomicLong received = new AtomicLong();
    AtomicLong sendErrors = new AtomicLong();
    final long[] sentHolder = {0};
    final boolean[] producing = {true};

    Thread consumerThread = new Thread(() -> {
      long idleSince = -1;
      while (true) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          long intended = ByteBuffer.wrap(r.value()).getLong();
          received.incrementAndGet();
          if (intended >= measureFrom) {
            long n = measured.getAndIncrement();
            if (n < latencies.length) latencies[(int) n] = now - intended;
          }
        }
        synchronized (sentHolder) {
          if (!producing[0] && received.get() >= sentHolder[0] - sendErrors.get()) break;
          if (!producing[0]) {
            if (idleSince < 0) idleSince = System.nanoTime();
            if (System.nanoTime() - idleSince > 20_000_000_000L) break;  // give up on lost records
          }
        }
      }
    });
    consumerThread.start();

    byte[] payloadTemplate = new byte[size];
    Arrays.fill(payloadTemplate, (byte) 'x');
    long sent = 0;
    long sendStart = System.nanoTime();
    while (sent < total) {
      long intended = start + sent * interval;
      long now = System.nanoTime();
      if (intended > now) {
        LockSupport.parkNanos(Math.min(intended - now, 200_000L));
        continue;
      }
      byte[] value = payloadTemplate.clone();
      ByteBuffer.wrap(value).putLong(intended);
      producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
        if (e != null) sendErrors.incrementAndGet();
      });
      sent++;
    }
    producer.flush();
    double sendSeconds = (System.nanoTime() - sendStart) / 1e9;
    synchronized (sentHolder) {
      sentHolder[0] = sent;
      producing[0] = false;
    }
    consumerThread.join();
    producer.close();
    consumer.close();

    int n = (int) Math.min(measured.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    System.out.printf(
        "{\"tool\": \"E2eLatency\", \"target_rate\": %.1f, \"achieved_send_rate\": %.1f, \"sent\": %d, "
            + "\"received\": %d, \"send_errors\": %d, \"measured\": %d, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
            + "\"p999_ms\": %.3f, \"max_ms\": %.3f}%n",
        rate, sent / sendSeconds, sent, received.get(), sendErrors.get(), n, pct(sorted, 0.5),
        pct(sorted, 0.99), pct(sorted, 0.999), n == 0 ? 0.0 : sorted[n - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return 0.0;
    int i = (int) Math.min(sorted.length - 1, (long) (p * sorted.length));
    return sorted[i] / 1e6;
  }
}
