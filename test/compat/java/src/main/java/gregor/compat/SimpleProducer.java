// The seed's SimpleProducer, taking the bootstrap address from the command line.
package gregor.compat;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage: SimpleProducer <bootstrap> [topic] [value]. Default settings (idempotence on, acks=all),
 * topic "test" auto-created. Prints "partition offset" of the acknowledged record on stdout.
 */
public class SimpleProducer {
  private static final Logger logger = LoggerFactory.getLogger(SimpleProducer.class);
  private static final String TOPIC_NAME = "test";

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: SimpleProducer <bootstrap> [topic] [value]");
      System.exit(2);
    }
    String topic = args.length > 1 ? args[1] : TOPIC_NAME;
    String messageValue = args.length > 2 ? args[2] : "testMessage";

    Properties configs = new Properties();
    configs.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    configs.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    configs.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(configs)) {
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, messageValue);
      // Wait for the acknowledgement: the seed's fire-and-forget send would hide a broker error.
      RecordMetadata meta = producer.send(record).get();
      logger.info("{}", record);
      producer.flush();
      System.out.println(meta.partition() + " " + meta.offset());
    }
  }
}
