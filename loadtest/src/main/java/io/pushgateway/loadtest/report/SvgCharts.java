package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's charts as inline SVG: no script, no external resource, readable on its own. */
public final class SvgCharts {
  static final Map<String, String> COLORS = Map.of("ws", "#1f77b4", "sse", "#2ca02c", "long", "#ff7f0e",
    "short", "#d62728");
  private static final String[] PERCENTILES = {"p50", "p90", "p99", "p999"};
  private static final String[] SHADES = {"#9ecae1", "#6baed6", "#3182bd", "#08519c"};
  private static final int H = 340;
  private static final int LEFT = 70;
  private static final int TOP = 40;
  private static final int BOTTOM = 70;

  private SvgCharts() {
  }

  /** Grouped bars of p50/p90/p99/p99.9 per run, log scale. */
  public static String latencyPercentiles(List<JsonObject> runs, List<String> titles) {
    int groupW = 4 * 18 + 30;
    int w = Math.max(560, LEFT + 20 + groupW * runs.size());
    double max = 1;
    double min = Double.MAX_VALUE;
    for (JsonObject r : runs) {
      for (String p : PERCENTILES) {
        Double v = Fmt.num(r, "latencyMs." + p);
        if (v != null && v > 0) {
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
      }
    }
    Scale y = Scale.log(min == Double.MAX_VALUE ? 0.1 : min, max, H - BOTTOM, TOP);
    StringBuilder sb = open(w, "Latency percentiles, publish to receive (ms, log scale)");
    yAxis(sb, y, w, "ms");
    for (int i = 0; i < runs.size(); i++) {
      double x0 = LEFT + 20 + i * groupW;
      for (int p = 0; p < PERCENTILES.length; p++) {
        Double v = Fmt.num(runs.get(i), "latencyMs." + PERCENTILES[p]);
        if (v == null) {
          continue;
        }
        double top = y.map(Math.max(v, 1e-3));
        sb.append(rect(x0 + p * 18, top, 16, H - BOTTOM - top, SHADES[p], PERCENTILES[p] + " " + Fmt.sig(v) + " ms"));
      }
      xLabel(sb, x0 + 2 * 18, titles.get(i));
    }
    legend(sb, w, List.of("p50", "p90", "p99", "p99.9"), List.of(SHADES));
    return sb.append("</svg>\n").toString();
  }

  /** Stacked bars of bytes on the wire per delivered event, down and up. */
  public static String bytesPerEvent(List<JsonObject> runs, List<String> titles) {
    int groupW = 60;
    int w = Math.max(560, LEFT + 20 + groupW * runs.size());
    double max = 1;
    for (JsonObject r : runs) {
      Double v = Fmt.num(r, "wire.bytesPerEvent");
      max = Math.max(max, v == null ? 0 : v);
    }
    Scale y = Scale.linear(max, H - BOTTOM, TOP);
    StringBuilder sb = open(w, "Bytes on the wire per delivered event (TCP payload, both directions)");
    yAxis(sb, y, w, "B");
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.get(i);
      double x = LEFT + 20 + i * groupW;
      Double down = Fmt.num(r, "wire.bytesDownPerEvent");
      Double up = Fmt.num(r, "wire.bytesUpPerEvent");
      if (down != null && up != null) {
        double yDown = y.map(down);
        double yAll = y.map(down + up);
        sb.append(rect(x, yDown, 36, H - BOTTOM - yDown, color(r), "down " + Fmt.fixed(down, 1) + " B"));
        sb.append(rect(x, yAll, 36, yDown - yAll, "#bbbbbb", "up " + Fmt.fixed(up, 1) + " B"));
        sb.append(text(x + 18, yAll - 4, Fmt.fixed(down + up, 0), "middle", 11));
      }
      xLabel(sb, x + 18, titles.get(i));
    }
    legend(sb, w, List.of("down (server to client, bar colour)", "up (client to server)"), List.of("#555555", "#bbbbbb"));
    return sb.append("</svg>\n").toString();
  }

  /**
   * Latency against bandwidth: one point per run at (bytes per event, p50), joined per transport in
   * order of bytes, so a poll-interval sweep draws short polling's trade-off curve next to the
   * push transports' points.
   */
  public static String latencyVsBytes(List<JsonObject> runs, String sweepParameter) {
    int w = 720;
    Map<String, List<JsonObject>> series = new LinkedHashMap<>();
    double minX = Double.MAX_VALUE;
    double maxX = 1;
    double minY = Double.MAX_VALUE;
    double maxY = 1;
    for (JsonObject r : runs) {
      Double x = Fmt.num(r, "wire.bytesPerEvent");
      Double y = Fmt.num(r, "latencyMs.p50");
      if (x == null || y == null || x <= 0) {
        continue;
      }
      series.computeIfAbsent(Fmt.series(r), k -> new ArrayList<>()).add(r);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, Math.max(y, 0.01));
      maxY = Math.max(maxY, y);
    }
    Scale xs = Scale.log(minX == Double.MAX_VALUE ? 1 : minX, maxX, LEFT, w - 30);
    Scale ys = Scale.log(minY == Double.MAX_VALUE ? 0.1 : minY, maxY, H - BOTTOM, TOP);
    StringBuilder sb = open(w, "Latency p50 (ms) against bytes on the wire per event (both log scale)");
    yAxis(sb, ys, w, "ms");
    xAxis(sb, xs, w, "bytes per delivered event (up + down)");
    for (Map.Entry<String, List<JsonObject>> e : series.entrySet()) {
      List<JsonObject> pts = new ArrayList<>(e.getValue());
      pts.sort(Comparator.comparingDouble(r -> Fmt.num(r, "wire.bytesPerEvent")));
      String c = color(pts.get(0));
      StringBuilder path = new StringBuilder();
      for (JsonObject r : pts) {
        double px = xs.map(Fmt.num(r, "wire.bytesPerEvent"));
        double py = ys.map(Math.max(Fmt.num(r, "latencyMs.p50"), 0.01));
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
        sb.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='5' fill='%s'><title>%s</title></circle>",
          px, py, c, esc(Fmt.title(r, sweepParameter) + ": " + Fmt.sig(Fmt.num(r, "wire.bytesPerEvent")) + " B/event, p50 "
            + Fmt.sig(Fmt.num(r, "latencyMs.p50")) + " ms")));
        String tag = pts.size() > 1 ? Fmt.title(r, sweepParameter) : e.getKey();
        sb.append(text(px + 8, py - 6, tag, "start", 10));
      }
      if (pts.size() > 1) {
        sb.append("<path d='").append(path).append("' fill='none' stroke='").append(c).append("' stroke-width='2'/>");
      }
    }
    return sb.append("</svg>\n").toString();
  }

  /**
   * What each run's traffic costs a phone's radio in an hour ({@code runs[].mobile}): bars per run,
   * or in a sweep one line per transport against the swept value, the cheapest at each value ringed.
   */
  public static String radioEnergy(List<JsonObject> runs, List<String> titles, String sweepParameter, String radio) {
    String title = "Radio energy per subscriber per hour, " + radio + " model (J above idle, log scale)";
    if (sweepParameter == null) {
      return radioEnergyBars(runs, titles, title);
    }
    int w = 720;
    Map<String, List<JsonObject>> series = new LinkedHashMap<>();
    double minX = Double.MAX_VALUE;
    double maxX = 1;
    double minY = Double.MAX_VALUE;
    double maxY = 1;
    Map<Long, JsonObject> cheapest = new LinkedHashMap<>();
    for (JsonObject r : runs) {
      Double e = Fmt.num(r, "mobile.energyJPerHour");
      Long v = r.getLong("sweepValue");
      if (e == null || v == null) {
        continue;
      }
      series.computeIfAbsent(Fmt.series(r), k -> new ArrayList<>()).add(r);
      minX = Math.min(minX, v);
      maxX = Math.max(maxX, v);
      minY = Math.min(minY, Math.max(e, 0.01));
      maxY = Math.max(maxY, e);
      cheapest.merge(v, r, (a, b) -> Fmt.num(b, "mobile.energyJPerHour") < Fmt.num(a, "mobile.energyJPerHour") ? b : a);
    }
    Scale xs = Scale.log(minX == Double.MAX_VALUE ? 1 : minX, maxX, LEFT, w - 30);
    Scale ys = Scale.log(minY == Double.MAX_VALUE ? 0.1 : minY, maxY, H - BOTTOM, TOP);
    StringBuilder sb = open(w, title);
    yAxis(sb, ys, w, "J/h");
    xAxis(sb, xs, w, sweepParameter + " (log scale); ringed: the cheapest");
    for (Map.Entry<String, List<JsonObject>> e : series.entrySet()) {
      List<JsonObject> pts = new ArrayList<>(e.getValue());
      pts.sort(Comparator.comparingLong(r -> r.getLong("sweepValue")));
      String c = color(pts.get(0));
      StringBuilder path = new StringBuilder();
      for (JsonObject r : pts) {
        double px = xs.map(r.getLong("sweepValue"));
        double energy = Fmt.num(r, "mobile.energyJPerHour");
        double py = ys.map(Math.max(energy, 0.01));
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
        sb.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='4' fill='%s'><title>%s</title></circle>",
          px, py, c, esc(Fmt.title(r, sweepParameter) + ": " + Fmt.sig(energy) + " J/h, "
            + Fmt.sig(Fmt.num(r, "mobile.radioActiveSecondsPerHour")) + " s/h radio active")));
        if (cheapest.get(r.getLong("sweepValue")) == r) {
          sb.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='9' fill='none' stroke='%s' "
            + "stroke-width='2'/>", px, py, c));
        }
      }
      sb.append("<path d='").append(path).append("' fill='none' stroke='").append(c).append("' stroke-width='2'/>");
    }
    legend(sb, w, new ArrayList<>(series.keySet()), series.values().stream().map(l -> color(l.get(0))).toList());
    return sb.append("</svg>\n").toString();
  }

  private static String radioEnergyBars(List<JsonObject> runs, List<String> titles, String title) {
    int groupW = 60;
    int w = Math.max(560, LEFT + 20 + groupW * runs.size());
    double min = Double.MAX_VALUE;
    double max = 1;
    for (JsonObject r : runs) {
      Double v = Fmt.num(r, "mobile.energyJPerHour");
      if (v != null && v > 0) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    Scale y = Scale.log(min == Double.MAX_VALUE ? 0.1 : min, max, H - BOTTOM, TOP);
    StringBuilder sb = open(w, title);
    yAxis(sb, y, w, "J/h");
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.get(i);
      double x = LEFT + 20 + i * groupW;
      Double energy = Fmt.num(r, "mobile.energyJPerHour");
      if (energy != null && energy > 0) {
        double top = y.map(energy);
        sb.append(rect(x, top, 36, H - BOTTOM - top, color(r), Fmt.sig(energy) + " J/h, "
          + Fmt.sig(Fmt.num(r, "mobile.radioActiveSecondsPerHour")) + " s/h radio active"));
        sb.append(text(x + 18, top - 4, Fmt.sig(energy), "middle", 11));
      }
      xLabel(sb, x + 18, titles.get(i));
    }
    return sb.append("</svg>\n").toString();
  }

  private static String color(JsonObject r) {
    return COLORS.getOrDefault(r.getString("transport"), "#555555");
  }

  private static StringBuilder open(int w, String title) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
      "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
        + "font-family='sans-serif' font-size='12'>", w, H, w, H));
    sb.append("<rect width='100%' height='100%' fill='white'/>");
    sb.append(text(w / 2.0, 20, title, "middle", 14));
    return sb;
  }

  private static void yAxis(StringBuilder sb, Scale y, int w, String unit) {
    for (double t : y.ticks()) {
      double py = y.map(t);
      sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", LEFT, py,
        w - 20, py));
      sb.append(text(LEFT - 6, py + 4, Scale.label(t), "end", 10));
    }
    sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", LEFT, TOP, LEFT,
      H - BOTTOM));
    sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", LEFT, H - BOTTOM,
      w - 20, H - BOTTOM));
    sb.append(text(14, TOP - 10, unit, "start", 11));
  }

  /** Grid lines and labels at the scale's ticks, and the axis's name below them. */
  private static void xAxis(StringBuilder sb, Scale xs, int w, String name) {
    for (double t : xs.ticks()) {
      double px = xs.map(t);
      sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#eee'/>", px, TOP, px,
        H - BOTTOM));
      sb.append(text(px, H - BOTTOM + 16, Scale.label(t), "middle", 10));
    }
    sb.append(text((LEFT + w - 30) / 2.0, H - BOTTOM + 34, name, "middle", 12));
  }

  private static void xLabel(StringBuilder sb, double x, String label) {
    sb.append(String.format(Locale.ROOT,
      "<text x='%.1f' y='%d' text-anchor='end' font-size='11' transform='rotate(-30 %.1f %d)'>%s</text>",
      x + 8, H - BOTTOM + 16, x + 8, H - BOTTOM + 16, esc(label)));
  }

  private static void legend(StringBuilder sb, int w, List<String> names, List<String> colors) {
    double x = w - 20 - names.stream().mapToInt(n -> n.length() * 7 + 26).sum();
    for (int i = 0; i < names.size(); i++) {
      sb.append(rect(x, TOP - 12, 12, 12, colors.get(i), names.get(i)));
      sb.append(text(x + 16, TOP - 2, names.get(i), "start", 11));
      x += names.get(i).length() * 7 + 26;
    }
  }

  private static String rect(double x, double y, double w, double h, String fill, String tip) {
    return String.format(Locale.ROOT,
      "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s</title></rect>", x, y, w,
      Math.max(0, h), fill, esc(tip));
  }

  private static String text(double x, double y, String s, String anchor, int size) {
    return String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' text-anchor='%s' font-size='%d'>%s</text>", x, y,
      anchor, size, esc(s));
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
      .replace("\"", "&quot;");
  }
}
