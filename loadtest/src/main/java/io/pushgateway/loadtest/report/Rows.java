package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The figures shown per run, in order, shared by the console table and the HTML table. */
final class Rows {
  record Row(String name, Function<JsonObject, String> value) {
  }

  private Rows() {
  }

  static final List<Row> ALL = List.of(
    new Row("subscribers", r -> Fmt.fixed(Fmt.num(r, "subscribers"), 0)),
    new Row("delivered/s", r -> Fmt.fixed(Fmt.num(r, "deliveredPerSecond"), 0)),
    new Row("lost / dup / out of order", r -> Fmt.fixed(Fmt.num(r, "integrity.lost"), 0) + " / "
      + Fmt.fixed(Fmt.num(r, "integrity.duplicated"), 0) + " / " + Fmt.fixed(Fmt.num(r, "integrity.outOfOrder"), 0)),
    new Row("latency p50 ms", r -> Fmt.sig(Fmt.num(r, "latencyMs.p50"))),
    new Row("latency p90 ms", r -> Fmt.sig(Fmt.num(r, "latencyMs.p90"))),
    new Row("latency p99 ms", r -> Fmt.sig(Fmt.num(r, "latencyMs.p99"))),
    new Row("latency p99.9 ms", r -> Fmt.sig(Fmt.num(r, "latencyMs.p999"))),
    new Row("latency max ms", r -> Fmt.sig(Fmt.num(r, "latencyMs.max"))),
    new Row("wire B/event up", r -> Fmt.fixed(Fmt.num(r, "wire.bytesUpPerEvent"), 1)),
    new Row("wire B/event down", r -> Fmt.fixed(Fmt.num(r, "wire.bytesDownPerEvent"), 1)),
    new Row("HTTP requests/event", r -> Fmt.fixed(Fmt.num(r, "wire.httpRequestsPerEvent"), 3)),
    new Row("empty polls", r -> Fmt.percent(Fmt.num(r, "polls.emptyShare"))),
    new Row("IP B/event down / up (headers, ACKs)", r -> Fmt.fixed(Fmt.num(r, "wire.ipBytesDownPerEvent"), 1) + " / "
      + Fmt.fixed(Fmt.num(r, "wire.ipBytesUpPerEvent"), 1)),
    new Row("IP packets/event", r -> Fmt.fixed(Fmt.num(r, "wire.packetsPerEvent"), 2)),
    new Row("setup B/subscriber", r -> Fmt.fixed(Fmt.num(r, "wire.setupBytesPerSubscriber"), 0)),
    new Row("server CPU ms/1k deliveries", r -> Fmt.sig(Fmt.num(r, "gateway.cpuMsPer1000Deliveries"))),
    new Row("server CPU ms/1k, JIT excluded", r -> Fmt.sig(Fmt.num(r, "gateway.cpuMsPer1000DeliveriesWithoutJit"))),
    new Row("server CPU % of a core", r -> Fmt.fixed(Fmt.num(r, "gateway.cpuPercentOfCore"), 1)),
    new Row("server heap allocated/delivery", r -> Fmt.bytes(Fmt.num(r, "gateway.allocatedBytesPerDelivery"))),
    new Row("server heap/connection", r -> Fmt.bytes(Fmt.num(r, "gateway.heapPerConnectionBytes"))),
    new Row("server RSS/connection", r -> Fmt.bytes(Fmt.num(r, "gateway.rssPerConnectionBytes"))),
    new Row("load gen CPU ms/1k deliveries", r -> Fmt.sig(Fmt.num(r, "loadGenerator.cpuMsPer1000Deliveries"))),
    // Near 100% per core it may use, or lagging publishes: the generator, not the gateway, set the latencies.
    new Row("load gen CPU % of a core", r -> Fmt.fixed(Fmt.num(r, "loadGenerator.cpuPercentOfCore"), 1)),
    new Row("publisher max lag ms", r -> Fmt.sig(Fmt.num(r, "loadGenerator.publisherMaxLagMs"))),
    new Row("other processes CPU ms", r -> Fmt.fixed(Fmt.num(r, "machine.otherProcessesCpuMs"), 0)));

  /** The phone radio's figures (runs[].mobile), per subscriber. */
  static final List<Row> MOBILE = List.of(
    new Row("radio: active s/hour", r -> Fmt.fixed(Fmt.num(r, "mobile.radioActiveSecondsPerHour"), 0)),
    new Row("radio: high-power share", r -> Fmt.percent(Fmt.num(r, "mobile.highPowerShare"))),
    new Row("radio: energy J/hour", r -> Fmt.sig(Fmt.num(r, "mobile.energyJPerHour"))),
    new Row("radio: energy mJ/event", r -> Fmt.sig(Fmt.num(r, "mobile.energyMJPerEvent"))),
    new Row("radio: promotions/hour", r -> Fmt.fixed(Fmt.num(r, "mobile.promotionsPerHour"), 0)));

  /** --baseline: the gateway as a share of the bare broadcaster, on the gateway's column. */
  static final List<Row> VS_BASELINE = List.of(
    new Row("vs baseline: delivered/s", r -> Fmt.ratio(Fmt.num(r, "vsBaseline.deliveredPerSecondRatio"))),
    new Row("vs baseline: latency p99", r -> Fmt.ratio(Fmt.num(r, "vsBaseline.p99Ratio"))),
    new Row("vs baseline: CPU ms/1k deliveries", r -> Fmt.ratio(Fmt.num(r, "vsBaseline.cpuRatio"))));

  /** --compression: the compressed run's figures, and compressed / plain, on the plain run's column. */
  static final List<Row> COMPRESSED = List.of(
    new Row("compressed: permessage-deflate subscribers", r -> Fmt.fixed(Fmt.num(r, "compressed.deflateNegotiated"), 0)),
    new Row("compressed: delivered / lost", r -> Fmt.fixed(Fmt.num(r, "compressed.deliveries"), 0) + " / "
      + Fmt.fixed(Fmt.num(r, "compressed.lost"), 0)),
    new Row("compressed: wire B/event down", r -> Fmt.withRatio(Fmt.fixed(Fmt.num(r, "compressed.bytesDownPerEvent"), 1),
      Fmt.num(r, "compressed.bytesDownRatio"))),
    new Row("compressed: gateway CPU ms/1k deliveries", r -> Fmt.withRatio(
      Fmt.sig(Fmt.num(r, "compressed.cpuMsPer1000Deliveries")), Fmt.num(r, "compressed.cpuRatio"))),
    new Row("compressed: gateway heap/connection", r -> Fmt.withRatio(
      Fmt.bytes(Fmt.num(r, "compressed.heapPerConnectionBytes")), Fmt.num(r, "compressed.heapPerConnectionRatio"))),
    new Row("compressed: latency p50 / p99 ms", r -> Fmt.sig(Fmt.num(r, "compressed.p50Ms")) + " / "
      + Fmt.sig(Fmt.num(r, "compressed.p99Ms"))));

  /** {@link #ALL}, then the comparison rows of the options some run of the document used. */
  static List<Row> of(JsonObject doc) {
    JsonArray runs = doc.getJsonArray("runs");
    List<Row> out = new ArrayList<>(ALL);
    if (any(runs, "vsBaseline")) {
      out.addAll(VS_BASELINE);
    }
    if (any(runs, "compressed")) {
      out.addAll(COMPRESSED);
    }
    if (any(runs, "mobile")) {
      out.addAll(MOBILE);
    }
    return out;
  }

  private static boolean any(JsonArray runs, String field) {
    for (int i = 0; i < runs.size(); i++) {
      if (runs.getJsonObject(i).getValue(field) != null) {
        return true;
      }
    }
    return false;
  }
}
