package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** Reading figures out of result JSON for display; a null figure shows as a dash. */
public final class Fmt {
  private Fmt() {
  }

  /** The number at a dotted path such as {@code latencyMs.p99}, or null. */
  public static Double num(JsonObject o, String path) {
    Object cur = o;
    for (String key : path.split("\\.")) {
      if (!(cur instanceof JsonObject j)) {
        return null;
      }
      cur = j.getValue(key);
    }
    return cur instanceof Number n ? n.doubleValue() : null;
  }

  static String fixed(Double v, int decimals) {
    if (v == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  /** Three significant digits, the precision these figures deserve. */
  static String sig(Double v) {
    if (v == null) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** A ratio as {@code x0.41}. */
  static String ratio(Double v) {
    return v == null ? "-" : "x" + sig(v);
  }

  /** A shown figure followed by its ratio in parentheses, when both are known. */
  static String withRatio(String shown, Double ratio) {
    return shown.equals("-") || ratio == null ? shown : shown + " (" + ratio(ratio) + ")";
  }

  static String percent(Double share) {
    return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  static String bytes(Double v) {
    if (v == null) {
      return "-";
    }
    if (Math.abs(v) >= 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", v / 1024 / 1024);
    }
    if (Math.abs(v) >= 10 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", v / 1024);
    }
    return String.format(Locale.ROOT, "%,.0f B", v);
  }

  /**
   * Column title of a run: transport, what it ran against when that is not the plain gateway, and
   * the sweep value when there is one, e.g. "short 250ms", "ws 1000 subs", "sse 4096B",
   * "ws baseline", "ws compressed". A poll interval means nothing to the push transports.
   */
  static String title(JsonObject run, String sweepParameter) {
    String t = series(run);
    Object v = run.getValue("sweepValue");
    if (v == null || sweepParameter == null) {
      return t;
    }
    return switch (sweepParameter) {
      case "poll-interval" -> "short".equals(run.getString("transport")) ? t + " " + v + "ms" : t;
      case "subscribers" -> t + " " + v + " subs";
      case "events-per-minute" -> t + " " + v + "/min";
      case "heartbeat" -> t + " " + v + "s beat";
      default -> t + " " + v + "B";
    };
  }

  /**
   * Transport, and " baseline" or " compressed" for the runs that --baseline and --compression add:
   * what a chart joins into one line.
   */
  static String series(JsonObject run) {
    String t = run.getString("transport");
    String target = run.getString("target");
    if (target != null && !"spawned".equals(target) && !"external".equals(target)) {
      return t + " " + target; // the baseline or a peer
    }
    return run.getBoolean("compression", false) ? t + " compressed" : t;
  }
}
