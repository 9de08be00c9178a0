package io.pushgateway.gateway.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** One scrape of {@code /metrics} over HTTP, parsed from the Prometheus text format. */
public final class Scrape {

  public final String text;
  /** Series as {@code name{k="v",…}} with the labels sorted, to their values. */
  public final Map<String, Double> series = new LinkedHashMap<>();

  private Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      series.put(normalize(line.substring(0, split)), Double.parseDouble(line.substring(split + 1)));
    }
  }

  /** A scrape through {@code http}, a client of {@code vertx}. */
  public static Scrape of(Vertx vertx, HttpClient http, int port) throws Exception {
    // Status and body in one chain on an event loop, so no chunk can arrive before its handler.
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
      .compose(HttpClientRequest::send)
      .compose(response -> response.body().map(body -> {
        if (response.statusCode() != 200) {
          throw new AssertionError("GET /metrics answered " + response.statusCode());
        }
        return new Scrape(body.toString());
      })))
      .await(10, TimeUnit.SECONDS);
  }

  /** The value of {@code name} with exactly these labels ({@code k1, v1, k2, v2…}); 0 if absent. */
  public double value(String name, String... labels) {
    return series.getOrDefault(key(name, labels), 0.0);
  }

  /** The sum of {@code name}'s series whose labels include these ({@code k1, v1…}), whatever their others; 0 if none. */
  public double sum(String name, String... labels) {
    Map<String, String> wanted = parseLabels(key(name, labels));
    return series.entrySet().stream()
      .filter(e -> name(e.getKey()).equals(name) && parseLabels(e.getKey()).entrySet().containsAll(wanted.entrySet()))
      .mapToDouble(Map.Entry::getValue).sum();
  }

  public boolean has(String name, String... labels) {
    return series.containsKey(key(name, labels));
  }

  public static String key(String name, String... labels) {
    Map<String, String> sorted = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    return name + render(sorted);
  }

  /** The label names of one series key. */
  public static java.util.Set<String> labelNames(String key) {
    return parseLabels(key).keySet();
  }

  public static String name(String key) {
    int brace = key.indexOf('{');
    return brace < 0 ? key : key.substring(0, brace);
  }

  private static String normalize(String series) {
    return name(series) + render(parseLabels(series));
  }

  private static Map<String, String> parseLabels(String series) {
    Map<String, String> labels = new TreeMap<>();
    int brace = series.indexOf('{');
    if (brace < 0) {
      return labels;
    }
    String body = series.substring(brace + 1, series.lastIndexOf('}'));
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      String label = body.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      while (body.charAt(j) != '"') {
        if (body.charAt(j) == '\\') {
          j++;
        }
        value.append(body.charAt(j++));
      }
      labels.put(label, value.toString());
      i = j + 1;
      if (i < body.length() && body.charAt(i) == ',') {
        i++;
      }
    }
    return labels;
  }

  private static String render(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("{");
    labels.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(k).append("=\"").append(v).append('"'));
    return sb.append('}').toString();
  }
}
