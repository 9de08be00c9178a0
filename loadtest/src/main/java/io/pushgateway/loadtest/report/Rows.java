package io.pushgateway.loadtest.report;

import io.vertx.core.json.JsonObject;
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
    new Row("setup B/subscriber", r -> Fmt.fixed(Fmt.num(r, "wire.setupBytesPerSubscriber"), 0)),
    new Row("gateway CPU ms/1k deliveries", r -> Fmt.sig(Fmt.num(r, "gateway.cpuMsPer1000Deliveries"))),
    new Row("gateway CPU % of a core", r -> Fmt.fixed(Fmt.num(r, "gateway.cpuPercentOfCore"), 1)),
    new Row("gateway heap/connection", r -> Fmt.bytes(Fmt.num(r, "gateway.heapPerConnectionBytes"))),
    new Row("gateway RSS/connection", r -> Fmt.bytes(Fmt.num(r, "gateway.rssPerConnectionBytes"))),
    new Row("load gen CPU ms/1k deliveries", r -> Fmt.sig(Fmt.num(r, "loadGenerator.cpuMsPer1000Deliveries"))),
    new Row("other processes CPU ms", r -> Fmt.fixed(Fmt.num(r, "machine.otherProcessesCpuMs"), 0)));
}
