// The compat suite's canonical text form of a record, shared by every client program.
package gregor.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * One record per line: "[offset ]timestamp key value headers". key/value: "-" for null, else "x"
 * followed by hex bytes; headers: "h" followed by comma-separated "namehex:value" items where value
 * uses the key/value encoding. Input files omit the offset.
 */
final class Canonical {
  private static final HexFormat HEX = HexFormat.of();

  record Spec(long timestamp, byte[] key, byte[] value, List<Header> headers) {}

  private Canonical() {}

  static String bytes(byte[] b) {
    return b == null ? "-" : "x" + HEX.formatHex(b);
  }

  static byte[] parseBytes(String s) {
    if (s.equals("-")) {
      return null;
    }
    if (!s.startsWith("x")) {
      throw new IllegalArgumentException("bad bytes field: " + s);
    }
    return HEX.parseHex(s.substring(1));
  }

  static String headers(Iterable<Header> headers) {
    StringBuilder sb = new StringBuilder("h");
    boolean first = true;
    for (Header h : headers) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(HEX.formatHex(h.key().getBytes(StandardCharsets.UTF_8)))
          .append(':')
          .append(bytes(h.value()));
    }
    return sb.toString();
  }

  static List<Header> parseHeaders(String s) {
    if (!s.startsWith("h")) {
      throw new IllegalArgumentException("bad headers field: " + s);
    }
    List<Header> out = new ArrayList<>();
    if (s.length() == 1) {
      return out;
    }
    for (String item : s.substring(1).split(",")) {
      int colon = item.indexOf(':');
      String name = new String(HEX.parseHex(item.substring(0, colon)), StandardCharsets.UTF_8);
      out.add(new RecordHeader(name, parseBytes(item.substring(colon + 1))));
    }
    return out;
  }

  static Spec parseSpec(String line) {
    String[] f = line.trim().split(" ");
    if (f.length != 4) {
      throw new IllegalArgumentException("bad record line: " + line);
    }
    return new Spec(Long.parseLong(f[0]), parseBytes(f[1]), parseBytes(f[2]), parseHeaders(f[3]));
  }

  static String line(long offset, long timestamp, byte[] key, byte[] value, Iterable<Header> hs) {
    return offset + " " + timestamp + " " + bytes(key) + " " + bytes(value) + " " + headers(hs);
  }
}
