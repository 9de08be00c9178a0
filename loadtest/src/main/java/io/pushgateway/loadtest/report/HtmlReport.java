package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A single self-contained HTML file: the scenario, the figures table and inline SVG charts, with
 * no script and nothing fetched from anywhere, so it can be mailed or committed as it is.
 */
public final class HtmlReport {
  private HtmlReport() {
  }

  /** The three charts as standalone SVG documents, by file name, for READMEs and slides. */
  public static Map<String, String> charts(JsonObject doc) {
    String sweepParameter = sweepParameter(doc);
    List<JsonObject> list = runs(doc);
    List<String> titles = titles(list, sweepParameter);
    Map<String, String> out = new LinkedHashMap<>();
    out.put("latency.svg", SvgCharts.latencyPercentiles(list, titles));
    out.put("bytes.svg", SvgCharts.bytesPerEvent(list, titles));
    out.put("latency-vs-bytes.svg", SvgCharts.latencyVsBytes(list, sweepParameter));
    JsonObject radio = doc.getJsonObject("target").getJsonObject("radio");
    if (radio != null && list.stream().anyMatch(r -> r.getJsonObject("mobile") != null)) {
      out.put("radio-energy.svg", SvgCharts.radioEnergy(list, titles, sweepParameter, radio.getString("name")));
    }
    return out;
  }

  private static String sweepParameter(JsonObject doc) {
    JsonObject sweep = doc.getJsonObject("sweep");
    return sweep == null ? null : sweep.getString("parameter");
  }

  private static List<JsonObject> runs(JsonObject doc) {
    JsonArray runs = doc.getJsonArray("runs");
    List<JsonObject> list = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      list.add(runs.getJsonObject(i));
    }
    return list;
  }

  private static List<String> titles(List<JsonObject> runs, String sweepParameter) {
    return runs.stream().map(r -> Fmt.title(r, sweepParameter)).toList();
  }

  public static String render(JsonObject doc) {
    JsonObject sweep = doc.getJsonObject("sweep");
    String sweepParameter = sweepParameter(doc);
    List<JsonObject> list = runs(doc);
    List<String> titles = titles(list, sweepParameter);
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
    table(sb, Rows.of(doc), list, titles);
    String capacity = ConsoleTable.capacity(doc);
    if (capacity != null) {
      sb.append("<p>").append(esc(capacity)).append("</p>\n");
    }
    servers(sb, doc);
    charts(doc).values().forEach(svg -> sb.append("<figure>").append(svg).append("</figure>\n"));
    sb.append("<p class='note'>Latency is measured from each event's due time on the publisher's timetable to its ")
      .append("arrival, in the same process (coordinated omission corrected). Bytes are TCP payload through the ")
      .append("load test's proxy, subscriber connections only: HTTP heads, handshakes, pings and empty polls ")
      .append("included, TCP/IP headers not (the IP rows add them, with the handshakes and ACKs a phone's link ")
      .append("carries). The radio rows run each sampled subscriber's packets through a phone radio's state machine ")
      .append("over an hour made of the measured window repeated. result.json holds every figure; SCHEMA.md ")
      .append("describes it.</p>\n");
    return sb.append("</body></html>\n").toString();
  }

  /** With peers: how each server ran, so the comparison's fairness can be judged. */
  private static void servers(StringBuilder sb, JsonObject doc) {
    JsonObject target = doc.getJsonObject("target");
    JsonObject details = target.getJsonObject("peerDetails");
    if (details == null) {
      return;
    }
    JsonObject sc = doc.getJsonObject("scenario");
    String cpus = target.getString("cpus");
    sb.append("<h2>How each server is configured</h2>\n<ul>")
      .append("<li>Every server is started afresh for each run, gets the same ").append(esc(String.valueOf(
        sc.getValue("warmupSeconds")))).append(" s of warm-up publishing before the measured window, ")
      .append(cpus == null ? "and runs unpinned, sharing the cores with the load generator."
        : "and is pinned to the same cores (" + esc(cpus) + ").")
      .append("</li><li>The gateway: its defaults (history of 1,000 events per topic, JVM options ")
      .append(esc(target.getJsonArray("jvmOptions").encode())).append("); its CPU excludes nothing, the JIT's ")
      .append("share is shown apart.</li>");
    JsonObject nchan = details.getJsonObject("nchan");
    if (nchan != null) {
      sb.append("<li>Nchan ").append(esc(nchan.getString("nchan", "?"))).append(" in ")
        .append(esc(nchan.getString("nginx", "?")))
        .append(": one worker process (the CPU and memory are the master's and the worker's), 1,000 messages ")
        .append("kept per channel like the gateway's history, several messages per long-poll answer ")
        .append("(multipart), one per interval-poll answer (Nchan 1.3.6 loses messages with multipart there). ")
        .append("Its clients follow its documentation: WebSocket with <code>ws+meta.nchan</code> and resume by ")
        .append("<code>last_event_id</code>, EventSource with <code>Last-Event-ID</code>, polls with ")
        .append("<code>If-Modified-Since</code> and <code>If-None-Match</code>.<pre>")
        .append(esc(nchan.getString("configuration", ""))).append("</pre></li>");
    }
    JsonObject socketio = details.getJsonObject("socketio");
    if (socketio != null) {
      sb.append("<li>Socket.IO ").append(esc(socketio.getString("socketio", "?"))).append(" on Node ")
        .append(esc(socketio.getString("node", "?"))).append(": ").append(esc(socketio.getString("settings", "")))
        .append(". WebSocket and long polling only (it has no SSE and no short polling); no resume, so what a ")
        .append("reconnecting subscriber misses counts as lost.</li>");
    }
    sb.append("</ul>\n");
  }

  private static void table(StringBuilder sb, List<Rows.Row> rows, List<JsonObject> runs, List<String> titles) {
    sb.append("<table><tr><th>figure</th>");
    titles.forEach(t -> sb.append("<th>").append(esc(t)).append("</th>"));
    sb.append("</tr>\n");
    for (Rows.Row row : rows) {
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
