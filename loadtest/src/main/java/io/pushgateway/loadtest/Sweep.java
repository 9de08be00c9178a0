package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A series of runs changing one parameter: {@code poll-interval=250,500,1000},
 * {@code subscribers=10,100,1000}, {@code payload=16,1024,16384}, {@code events-per-minute=1,60,600}
 * (the publisher's rate) or {@code heartbeat=15,25,60} (seconds between the started gateway's
 * WebSocket pings and SSE keep-alives).
 */
public record Sweep(String parameter, List<Long> values) {
  public static final List<String> PARAMETERS = List.of("poll-interval", "subscribers", "payload",
    "events-per-minute", "heartbeat");

  public static Sweep parse(String text) {
    int eq = text.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("--sweep '" + text + "': expected NAME=V1,V2,..., e.g. poll-interval=250,500,1000");
    }
    String name = text.substring(0, eq).trim().toLowerCase(Locale.ROOT);
    if (!PARAMETERS.contains(name)) {
      throw new IllegalArgumentException("--sweep: unknown parameter '" + name + "', expected one of " + PARAMETERS);
    }
    List<Long> values = new ArrayList<>();
    for (String v : text.substring(eq + 1).split(",")) {
      try {
        long n = Long.parseLong(v.trim());
        if (n <= 0) {
          throw new NumberFormatException();
        }
        values.add(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--sweep " + name + ": '" + v.trim() + "' is not a positive whole number");
      }
    }
    if (values.size() < 2) {
      throw new IllegalArgumentException("--sweep " + name + ": give at least two values");
    }
    return new Sweep(name, values);
  }

  /** One run of the series: its scenario and the swept parameter's value. */
  public record Point(Scenario scenario, long value) {
  }

  /** The runs of the series. Push transports ignore the poll interval, so they run only once. */
  public List<Point> points(Scenario base) {
    List<Point> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      long v = values.get(i);
      Scenario s = switch (parameter) {
        case "subscribers" -> base.withSubscribers(Math.toIntExact(v));
        case "payload" -> base.withPayload(Math.toIntExact(v));
        case "events-per-minute" -> base.withRate(v / 60.0);
        case "heartbeat" -> base;
        default -> base.withPollInterval(v);
      };
      if ("poll-interval".equals(parameter) && i > 0) {
        List<Transport> onlyShort = s.transports().stream().filter(t -> t == Transport.SHORT).toList();
        if (onlyShort.isEmpty()) {
          continue;
        }
        s = s.withTransports(onlyShort);
      }
      out.add(new Point(s, v));
    }
    return out;
  }

  /** Options of a gateway the load test starts for a point with this value. */
  public List<String> gatewayArgs(long value) {
    if (!parameter.equals("heartbeat")) {
      return List.of();
    }
    // an idle HTTP connection must outlive the keep-alive interval
    long idle = Math.max(90, 2 * value);
    return List.of("--set", "pingIntervalSeconds=" + value, "--set", "sseKeepAliveSeconds=" + value,
      "--set", "idleTimeoutSeconds=" + idle);
  }

  @Override
  public String toString() {
    return parameter + "=" + String.join(",", values.stream().map(String::valueOf).toList());
  }
}
