package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The end-of-run table: one column per run, one row per figure, read back from the result JSON. */
public final class ConsoleTable {
  private ConsoleTable() {
  }

  public static String render(JsonObject doc) {
    JsonArray runs = doc.getJsonArray("runs");
    String sweep = doc.getJsonObject("sweep") == null ? null : doc.getJsonObject("sweep").getString("parameter");
    List<String[]> lines = new ArrayList<>();
    String[] header = new String[runs.size() + 1];
    header[0] = "";
    for (int i = 0; i < runs.size(); i++) {
      header[i + 1] = Fmt.title(runs.getJsonObject(i), sweep);
    }
    lines.add(header);
    for (Rows.Row row : Rows.of(doc)) {
      String[] line = new String[runs.size() + 1];
      line[0] = row.name();
      for (int i = 0; i < runs.size(); i++) {
        line[i + 1] = row.value().apply(runs.getJsonObject(i));
      }
      lines.add(line);
    }
    int[] width = new int[header.length];
    for (String[] l : lines) {
      for (int c = 0; c < l.length; c++) {
        width[c] = Math.max(width[c], l[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < lines.size(); r++) {
      String[] l = lines.get(r);
      sb.append(pad(l[0], width[0], false));
      for (int c = 1; c < l.length; c++) {
        sb.append("  ").append(pad(l[c], width[c], true));
      }
      sb.append('\n');
      if (r == 0) {
        sb.append("-".repeat(sb.length() - 1)).append('\n');
      }
    }
    String capacity = capacity(doc);
    return capacity == null ? sb.toString() : sb.append('\n').append(capacity).append('\n').toString();
  }

  /** A sweep's highest values served per series ({@code sweep.capacity}), as one line; null without a sweep. */
  static String capacity(JsonObject doc) {
    JsonObject sweep = doc.getJsonObject("sweep");
    JsonObject capacity = sweep == null ? null : sweep.getJsonObject("capacity");
    if (capacity == null) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (String series : capacity.fieldNames()) {
      JsonObject c = capacity.getJsonObject(series);
      parts.add(series + " " + (c == null ? "none" : c.getValue("value") + " (" + c.getValue("deliveredPerSecond")
        + " deliveries/s, p99 " + c.getValue("p99Ms") + " ms)"));
    }
    return "highest " + sweep.getString("parameter") + " served (nothing lost, p99 <= "
      + (long) ResultDocument.SERVED_P99_MS + " ms): " + String.join(", ", parts);
  }

  /** The same table as GitHub markdown, for READMEs and notes. */
  public static String markdown(JsonObject doc) {
    JsonArray runs = doc.getJsonArray("runs");
    String sweep = doc.getJsonObject("sweep") == null ? null : doc.getJsonObject("sweep").getString("parameter");
    StringBuilder sb = new StringBuilder("| figure |");
    for (int i = 0; i < runs.size(); i++) {
      sb.append(' ').append(Fmt.title(runs.getJsonObject(i), sweep)).append(" |");
    }
    sb.append("\n| --- |").append(" ---: |".repeat(runs.size())).append('\n');
    for (Rows.Row row : Rows.of(doc)) {
      sb.append("| ").append(row.name()).append(" |");
      for (int i = 0; i < runs.size(); i++) {
        sb.append(' ').append(row.value().apply(runs.getJsonObject(i))).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }
}
