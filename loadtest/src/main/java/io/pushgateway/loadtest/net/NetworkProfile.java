package io.pushgateway.loadtest.net;

import java.util.Locale;
import java.util.Map;

/**
 * The link one subscriber sits behind: a round-trip time and a bandwidth per direction.
 * Every subscriber connection gets its own link (one phone, one radio), so the limits are
 * per connection, not shared by all subscribers.
 *
 * @param name          profile name for reports ("none" when nothing is shaped)
 * @param rttMs         added round-trip time; half is added to each direction
 * @param downBitsPerS  server to client bandwidth, 0 = unlimited
 * @param upBitsPerS    client to server bandwidth, 0 = unlimited
 */
public record NetworkProfile(String name, int rttMs, long downBitsPerS, long upBitsPerS) {

  public static final NetworkProfile NONE = new NetworkProfile("none", 0, 0, 0);

  /** Named profiles; the values are the README's table, keep both in step. */
  public static final Map<String, NetworkProfile> NAMED = Map.of(
    "lan", new NetworkProfile("lan", 1, 1_000_000_000L, 1_000_000_000L),
    "wifi", new NetworkProfile("wifi", 20, 30_000_000L, 15_000_000L),
    "4g", new NetworkProfile("4g", 70, 12_000_000L, 6_000_000L),
    "3g", new NetworkProfile("3g", 300, 1_600_000L, 768_000L));

  public boolean shaped() {
    return rttMs > 0 || downBitsPerS > 0 || upBitsPerS > 0;
  }

  public static NetworkProfile named(String name) {
    NetworkProfile p = NAMED.get(name.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException("unknown network profile '" + name + "', expected one of lan, wifi, 4g, 3g");
    }
    return p;
  }

  /** A profile with the RTT and/or bandwidth of a base profile overridden. */
  public NetworkProfile with(Integer rtt, long[] downUp) {
    int r = rtt != null ? rtt : rttMs;
    long down = downUp != null ? downUp[0] : downBitsPerS;
    long up = downUp != null ? downUp[1] : upBitsPerS;
    String n = (rtt == null && downUp == null) ? name : (this == NONE ? "custom" : name + "+custom");
    return new NetworkProfile(n, r, down, up);
  }

  /**
   * Parses a bandwidth such as {@code 1.6mbit}, {@code 768kbit}, {@code 10mbit/2mbit}
   * (down/up) or {@code 500000} (bits/s). One value applies to both directions.
   */
  public static long[] parseBandwidth(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("/");
    if (parts.length > 2) {
      throw new IllegalArgumentException("bandwidth '" + text + "': expected RATE or DOWN/UP, e.g. 1.6mbit/768kbit");
    }
    long down = parseRate(parts[0], text);
    long up = parts.length == 2 ? parseRate(parts[1], text) : down;
    return new long[] {down, up};
  }

  private static long parseRate(String s, String whole) {
    String t = s.trim().replace("bps", "bit").replace("/s", "");
    double factor = 1;
    if (t.endsWith("gbit")) {
      factor = 1e9;
      t = t.substring(0, t.length() - 4);
    } else if (t.endsWith("mbit")) {
      factor = 1e6;
      t = t.substring(0, t.length() - 4);
    } else if (t.endsWith("kbit")) {
      factor = 1e3;
      t = t.substring(0, t.length() - 4);
    } else if (t.endsWith("bit")) {
      t = t.substring(0, t.length() - 3);
    }
    try {
      double v = Double.parseDouble(t) * factor;
      if (!(v >= 1000)) {
        throw new IllegalArgumentException("bandwidth '" + whole + "' is below 1kbit");
      }
      return (long) v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bandwidth '" + whole + "': expected a number with kbit, mbit or gbit, e.g. 1.6mbit");
    }
  }

  public String describe() {
    if (!shaped()) {
      return "loopback, unshaped";
    }
    return name + " (rtt " + rttMs + " ms, down " + rate(downBitsPerS) + ", up " + rate(upBitsPerS) + ")";
  }

  private static String rate(long bits) {
    if (bits <= 0) {
      return "unlimited";
    }
    if (bits >= 1_000_000) {
      return String.format(Locale.ROOT, "%.3g Mbit/s", bits / 1e6);
    }
    return String.format(Locale.ROOT, "%.3g kbit/s", bits / 1e3);
  }
}
