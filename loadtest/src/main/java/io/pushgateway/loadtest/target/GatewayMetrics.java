package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's own counters from {@code GET /metrics} (Prometheus text format), summed over the
 * nodes. They let a run compare what the gateway says it delivered with what the clients counted.
 * Read from the driver thread with a plain blocking client, a few times per run.
 */
public final class GatewayMetrics {
  private GatewayMetrics() {
  }

  /** Sample name with labels, e.g. {@code pushgateway_deliveries_total{transport="ws"}}, to value. */
  public static Map<String, Double> scrape(List<Endpoint> nodes) {
    Map<String, Double> out = new HashMap<>();
    for (Endpoint node : nodes) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(node + "/metrics").toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        // closed with its answer: the JDK would keep it open for 5 s and close it inside the window
        c.setRequestProperty("Connection", "close");
        if (c.getResponseCode() != 200) {
          continue;
        }
        try (InputStream in = c.getInputStream()) {
          parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), out);
        }
      } catch (IOException | IllegalArgumentException e) {
        // no metrics from this node: its figures stay null
      }
    }
    return out;
  }

  static void parse(String text, Map<String, Double> into) {
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      try {
        into.merge(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1)), Double::sum);
      } catch (NumberFormatException e) {
        // a sample we cannot read is skipped, not fatal
      }
    }
  }

  /** Fewer collections than this between the scrapes and the JVM's allocation count is too coarse to divide. */
  public static final int MIN_COLLECTIONS_FOR_ALLOCATION = 5;

  /**
   * Heap allocated per delivery between two scrapes, from the JVM's own count ({@code
   * jvm_gc_memory_allocated_bytes_total}). The JVM adds to it at each young collection, so the
   * figure is off by up to one young generation at each edge: null with fewer than {@link
   * #MIN_COLLECTIONS_FOR_ALLOCATION} collections in between, without deliveries, or without the
   * metrics.
   */
  public static Double allocatedPerDelivery(Map<String, Double> before, Map<String, Double> after, long deliveries) {
    Double collections = totalDelta(before, after, "jvm_gc_pause_seconds_count");
    Double allocated = totalDelta(before, after, "jvm_gc_memory_allocated_bytes_total");
    if (collections == null || allocated == null || collections < MIN_COLLECTIONS_FOR_ALLOCATION || deliveries <= 0) {
      return null;
    }
    return (double) Math.round(allocated / deliveries);
  }

  /**
   * Change of a metric between two scrapes, summed over all its label sets (e.g. every collector
   * and cause of {@code jvm_gc_pause_seconds_count}), or null if either scrape lacks it.
   */
  public static Double totalDelta(Map<String, Double> before, Map<String, Double> after, String name) {
    Double a = total(before, name);
    Double b = total(after, name);
    return a == null || b == null ? null : b - a;
  }

  private static Double total(Map<String, Double> samples, String name) {
    Double sum = null;
    for (Map.Entry<String, Double> sample : samples.entrySet()) {
      String key = sample.getKey();
      if (key.startsWith(name) && (key.length() == name.length() || key.charAt(name.length()) == '{')) {
        sum = (sum == null ? 0 : sum) + sample.getValue();
      }
    }
    return sum;
  }

  /** Change of one transport-labelled counter between two scrapes, or null if either lacks it. */
  public static Long delta(Map<String, Double> before, Map<String, Double> after, String name, String transport) {
    String key = name + "{transport=\"" + transport + "\"}";
    Double a = before.get(key);
    Double b = after.get(key);
    return a == null || b == null ? null : Math.round(b - a);
  }
}
