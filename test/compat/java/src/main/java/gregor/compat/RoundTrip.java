// Produces records from a canonical spec file with a given codec and/or reads them back with assign().
package gregor.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Usage: RoundTrip <bootstrap> <topic> <codec> <count> <produce|consume|both> [spec-file].
 * produce: sends the first count records of spec-file to partition 0 with CreateTime timestamps and
 * waits for every acknowledgement. consume: prints count canonical lines from offset 0 (exit 1 on
 * timeout). Default producer settings otherwise (idempotence on, acks=all).
 */
public class RoundTrip {
  private static final long TIMEOUT_MS = Long.getLong("compat.timeout.ms", 60000);

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println(
          "usage: RoundTrip <bootstrap> <topic> <codec> <count> <produce|consume|both> [spec-file]");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    String codec = args[2];
    int count = Integer.parseInt(args[3]);
    String mode = args[4];
    if (!mode.equals("consume")) {
      if (args.length < 6) {
        System.err.println("produce needs a spec file");
        System.exit(2);
      }
      produce(bootstrap, topic, codec, readSpecs(Path.of(args[5]), count));
    }
    if (!mode.equals("produce")) {
      System.exit(consume(bootstrap, topic, count) ? 0 : 1);
    }
  }

  static List<Canonical.Spec> readSpecs(Path file, int count) throws Exception {
    List<Canonical.Spec> specs = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && specs.size() < count) {
        specs.add(Canonical.parseSpec(line));
      }
    }
    if (specs.size() < count) {
      throw new IllegalArgumentException("spec file has only " + specs.size() + " records");
    }
    return specs;
  }

  static void produce(String bootstrap, String topic, String codec, List<Canonical.Spec> specs)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    // A little linger so several records share a (compressed) batch.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (Canonical.Spec s : specs) {
        acks.add(
            producer.send(
                new ProducerRecord<>(topic, 0, s.timestamp(), s.key(), s.value(), s.headers())));
      }
      producer.flush();
      for (Future<RecordMetadata> f : acks) {
        f.get();
      }
    }
  }

  static boolean consume(String bootstrap, String topic, int count) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    TopicPartition tp = new TopicPartition(topic, 0);
    int seen = 0;
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println(
              Canonical.line(r.offset(), r.timestamp(), r.key(), r.value(), r.headers()));
          seen++;
        }
      }
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("timed out: consumed " + seen + " of " + count);
    }
    return seen >= count;
  }
}
