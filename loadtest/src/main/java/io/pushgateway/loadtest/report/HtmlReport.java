package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A single self-contained HTML file: the scenario, the figures table and inline SVG charts, with
 * no script and nothing fetched from anywhere, so it can be mailed or committed as it is.
 */
public final class HtmlReport {
  private HtmlReport() {
  }

  public static String render(JsonObject doc) {
    JsonArray runs = doc.getJsonArray("runs");
    JsonObject sweep = doc.getJsonObject("sweep");
    String sweepParameter = sweep == null ? null : sweep.getString("parameter");
    List<JsonObject> list = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      list.add(runs.getJsonObject(i));
      titles.add(Fmt.title(runs.getJsonObject(i), sweepParameter));
    }
    JsonObject sc = doc.getJsonObject("scenario");
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>")
      .append("<title>push-gateway load test</title><style>")
      .append("body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}")
      .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}")
      .append("td{text-align:right}td:first-child,th:first-child{text-align:left}")
      .append("figure{margin:1.5em 0}.note{color:#555;font-size:90%}")
      .append("</style></head><body>\n");
    sb.append("<h1>push-gateway load test</h1>\n<p>")
      .append(esc(sc.getInteger("subscribersPerTransport") + " subscribers per transport, "
        + sc.getValue("ratePerSecond") + " events/s of " + sc.getInteger("payloadBytes") + " B payload, "
        + sc.getValue("durationSeconds") + " s measured after " + sc.getValue("warmupSeconds") + " s warm-up, short poll every "
        + sc.getValue("pollIntervalMs") + " ms, transports " + sc.getString("mode") + ", network "
        + sc.getJsonObject("network").getString("name") + ", headers " + sc.getString("headers")))
      .append(sweep == null ? "" : esc(", sweep " + sweepParameter + " = " + sweep.getJsonArray("values").encode()))
      .append(".</p>\n<p class='note'>")
      .append(esc(doc.getJsonObject("machine").getInteger("cores") + " cores, " + doc.getJsonObject("machine")
        .getString("java") + ", gateway " + doc.getJsonObject("target").getString("kind") + ", " + doc.getString("startedAt")))
      .append("</p>\n");
    table(sb, list, titles);
    sb.append("<figure>").append(SvgCharts.latencyPercentiles(list, titles)).append("</figure>\n");
    sb.append("<figure>").append(SvgCharts.bytesPerEvent(list, titles)).append("</figure>\n");
    sb.append("<figure>").append(SvgCharts.latencyVsBytes(list, sweepParameter)).append("</figure>\n");
    sb.append("<p class='note'>Latency is measured from each event's due time on the publisher's timetable to its ")
      .append("arrival, in the same process (coordinated omission corrected). Bytes are TCP payload through the ")
      .append("load test's proxy, subscriber connections only: HTTP heads, handshakes, pings and empty polls ")
      .append("included, TCP/IP headers not. result.json holds every figure; SCHEMA.md describes it.</p>\n");
    return sb.append("</body></html>\n").toString();
  }

  private static void table(StringBuilder sb, List<JsonObject> runs, List<String> titles) {
    sb.append("<table><tr><th>figure</th>");
    titles.forEach(t -> sb.append("<th>").append(esc(t)).append("</th>"));
    sb.append("</tr>\n");
    for (Rows.Row row : Rows.ALL) {
      sb.append("<tr><td>").append(esc(row.name())).append("</td>");
      runs.forEach(r -> sb.append("<td>").append(esc(row.value().apply(r))).append("</td>"));
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  private static String esc(String s) {
    return SvgCharts.esc(s);
  }
}
