// Reads records back with assign() (no consumer group) and prints "offset value" lines.
package gregor.compat;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Usage: SimpleConsumer <bootstrap> <topic> <count> [timeout-ms]. Exits 1 if fewer arrive. */
public class SimpleConsumer {
  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: SimpleConsumer <bootstrap> <topic> <count> [timeout-ms]");
      System.exit(2);
    }
    int count = Integer.parseInt(args[2]);
    long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 60000;

    Properties configs = new Properties();
    configs.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    configs.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    configs.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    configs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    configs.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    TopicPartition tp = new TopicPartition(args[1], 0);
    int seen = 0;
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(configs)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println(r.offset() + " " + r.value());
          seen++;
        }
      }
    }
    System.out.flush();
    if (seen < count) {
      System.err.println("timed out: consumed " + seen + " of " + count);
      System.exit(1);
    }
  }
}
