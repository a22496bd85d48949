// Consumes in a consumer group (subscribe): reads count records, commits the next offset, leaves.
package gregor.compat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Usage: GroupConsume <bootstrap> <topic> <group> <count>. Prints canonical lines. */
public class GroupConsume {
  private static final long TIMEOUT_MS = Long.getLong("compat.timeout.ms", 60000);

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: GroupConsume <bootstrap> <topic> <group> <count>");
      System.exit(2);
    }
    int count = Integer.parseInt(args[3]);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Never hand back more than asked for, so the committed offset is exactly count records on.
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    int seen = 0;
    long next = -1;
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(args[1]));
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println(
              Canonical.line(r.offset(), r.timestamp(), r.key(), r.value(), r.headers()));
          next = r.offset() + 1;
          seen++;
        }
      }
      if (next >= 0) {
        consumer.commitSync(Map.of(new TopicPartition(args[1], 0), new OffsetAndMetadata(next)));
      }
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("timed out: consumed " + seen + " of " + count);
      System.exit(1);
    }
  }
}
