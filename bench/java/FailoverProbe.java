// Failover probe (W5 cluster): produce with acks=all at a fixed rate and print one line per acknowledged record.
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Usage: FailoverProbe BOOTSTRAP TOPIC RATE MAX_SECONDS
 *
 * Lines: "ACK send_wall_ms ack_wall_ms" or "ERR send_wall_ms ack_wall_ms message". Wall-clock
 * milliseconds so the harness can compare them with the moment it sent kill -9.
 */
public final class FailoverProbe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1];
    double rate = Double.parseDouble(args[2]);
    double maxSeconds = Double.parseDouble(args[3]);
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", "all");
    pp.put("linger.ms", "0");
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    byte[] value = new byte[1024];
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    long end = start + (long) (maxSeconds * 1e9);
    for (long i = 0; System.nanoTime() < end; i++) {
      long intended = start + i * interval;
      long now = System.nanoTime();
      if (intended > now) LockSupport.parkNanos(intended - now);
      long sendMs = System.currentTimeMillis();
      producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
        long ackMs = System.currentTimeMillis();
        synchronized (System.out) {
          if (e == null)
            System.out.println("ACK " + sendMs + " " + ackMs);
          else
            System.out.println("ERR " + sendMs + " " + ackMs + " " + e.getClass().getSimpleName());
          System.out.flush();
        }
      });
    }
    producer.close();
  }
}
