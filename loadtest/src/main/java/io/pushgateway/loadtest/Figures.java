package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Publisher;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.radio.MobileFigures;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.stats.PublishSchedule;
import io.pushgateway.loadtest.stats.TransportStats;
import io.pushgateway.loadtest.target.GatewayMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns one transport's counters and two marks into the "runs[]" entry of SCHEMA.md. A figure
 * that cannot be known (no gateway process to read, nothing delivered to divide by) is null.
 */
final class Figures {
  /** Facts about the whole run that every transport's entry shares. */
  record RunFacts(Scenario scenario, String label, Long sweepValue, String targetKind, List<Transport> group,
                  Mark start, Mark end, long groupDeliveries, int groupConnections, OptionalLong rssDelta,
                  OptionalLong heapDelta, OptionalLong rssEnd, Publisher publisher, OptionalLong clientHeapDelta,
                  int clientThreadsDelta, RadioModel radio) {
  }

  private Figures() {
  }

  static JsonObject of(RunFacts run, TransportLoad load, TrafficCounters.Snapshot setup) {
    TransportStats stats = load.stats;
    PublishSchedule schedule = stats.schedule();
    Scenario s = run.scenario();
    long deliveries = stats.measuredDeliveries();
    long expected = (long) s.subscribers() * schedule.measuredEvents();
    double window = run.end().secondsSince(run.start());
    TrafficCounters.Snapshot traffic = run.end().traffic().get(load.transport)
      .minus(run.start().traffic().get(load.transport));
    // every radio model on the same packets; runs[].mobile is the chosen model's
    JsonObject byRadio = s.proxied() && run.radio() != null
      ? MobileFigures.byRadio(run.radio(), load.timelines(), run.start().nanos(), run.end().nanos(), s.rate()) : null;

    return new JsonObject()
      .put("label", run.label())
      .put("sweepValue", run.sweepValue())
      .put("transport", load.transport.wireName())
      .put("scenario", s.toJson())
      .put("target", run.targetKind())
      .put("subscribers", load.connections())
      .put("window", new JsonObject()
        .put("seconds", round(window, 3))
        .put("publishedEvents", schedule.measuredEvents())
        .put("expectedDeliveries", expected))
      .put("deliveries", deliveries)
      .put("deliveredPerSecond", round(deliveries / s.durationS(), 1))
      .put("integrity", new JsonObject()
        .put("lost", Math.max(0, expected - deliveries))
        .put("duplicated", stats.duplicates())
        .put("outOfOrder", stats.outOfOrder())
        .put("idAnomalies", stats.idAnomalies())
        .put("resets", stats.resets.sum())
        .put("reconnects", stats.reconnects.sum())
        .put("errors", stats.errors.sum()))
      .put("latencyMs", stats.latency().toJson())
      .put("latencyUncorrectedMs", stats.uncorrectedLatency().toJson())
      .put("wire", s.proxied() ? wire(traffic, deliveries, setup, load.connections()) : null)
      .put("mobile", byRadio == null ? null : byRadio.getJsonObject(run.radio().name()).copy())
      .put("mobileByRadio", byRadio)
      .put("polls", polls(run, load))
      .put("gateway", gateway(run, window).put("counted", counted(run, load)))
      .put("loadGenerator", loadGenerator(run, window))
      .put("machine", machine(run, window))
      .put("compression", false)
      .put("deflateNegotiated", load.transport == Transport.WS ? stats.deflateNegotiated.sum() : null)
      .put("vsBaseline", null)
      .put("compressed", null);
  }

  private static JsonObject wire(TrafficCounters.Snapshot t, long deliveries, TrafficCounters.Snapshot setup,
                                 int connections) {
    return new JsonObject()
      .put("bytesUp", t.bytesUp())
      .put("bytesDown", t.bytesDown())
      .put("bytesUpPerEvent", per(t.bytesUp(), deliveries, 1))
      .put("bytesDownPerEvent", per(t.bytesDown(), deliveries, 1))
      .put("bytesPerEvent", per(t.bytesUp() + t.bytesDown(), deliveries, 1))
      .put("packetsUp", t.packetsUp())
      .put("packetsDown", t.packetsDown())
      .put("ipBytesUp", t.ipBytesUp())
      .put("ipBytesDown", t.ipBytesDown())
      .put("ipBytesUpPerEvent", per(t.ipBytesUp(), deliveries, 1))
      .put("ipBytesDownPerEvent", per(t.ipBytesDown(), deliveries, 1))
      .put("packetsPerEvent", per(t.packetsUp() + t.packetsDown(), deliveries, 3))
      .put("httpRequests", t.httpRequests())
      .put("httpRequestsPerEvent", per(t.httpRequests(), deliveries, 1))
      .put("tcpConnectionsOpened", t.connections())
      .put("setupBytesPerSubscriber", per(setup.bytesUp() + setup.bytesDown(), connections, 1));
  }

  private static JsonObject polls(RunFacts run, TransportLoad load) {
    if (!load.transport.polling()) {
      return null;
    }
    long[] a = run.start().polls().get(load.transport);
    long[] b = run.end().polls().get(load.transport);
    long answers = b[0] - a[0];
    long empty = b[1] - a[1];
    return new JsonObject()
      .put("answers", answers)
      .put("empty", empty)
      .put("emptyShare", answers == 0 ? null : round((double) empty / answers, 4));
  }

  /** In concurrent mode the gateway serves every transport at once: its figures are for the group. */
  private static JsonObject gateway(RunFacts run, double window) {
    JsonObject g = new JsonObject()
      .put("sharedWith", new JsonArray(run.group().stream().map(Transport::wireName).toList()));
    OptionalLong cpu = difference(run.start().gatewayCpuMs(), run.end().gatewayCpuMs());
    OptionalLong jit = difference(run.start().gatewayCompilerCpuMs(), run.end().gatewayCompilerCpuMs());
    if (cpu.isPresent()) {
      long ms = cpu.getAsLong();
      g.put("cpuMs", ms)
        .put("cpuMsPer1000Deliveries", per(ms * 1000, run.groupDeliveries(), 3))
        .put("cpuPercentOfCore", round(ms / 10.0 / window, 1));
    } else {
      g.put("cpuMs", null).put("cpuMsPer1000Deliveries", null).put("cpuPercentOfCore", null);
    }
    if (cpu.isPresent() && jit.isPresent()) {
      long withoutJit = Math.max(0, cpu.getAsLong() - jit.getAsLong());
      g.put("jitCpuMs", jit.getAsLong())
        .put("cpuMsPer1000DeliveriesWithoutJit", per(withoutJit * 1000, run.groupDeliveries(), 3));
    } else {
      g.put("jitCpuMs", null).put("cpuMsPer1000DeliveriesWithoutJit", null);
    }
    Double collections = GatewayMetrics.totalDelta(run.start().gatewayMetrics(), run.end().gatewayMetrics(),
      "jvm_gc_pause_seconds_count");
    return g
      .put("gcPauses", collections == null ? null : Math.round(collections))
      .put("allocatedBytesPerDelivery", GatewayMetrics.allocatedPerDelivery(run.start().gatewayMetrics(),
        run.end().gatewayMetrics(), run.groupDeliveries()))
      .put("rssBytes", run.rssEnd().isPresent() ? run.rssEnd().getAsLong() : null)
      // a process that gave back more than the connections took (its heap shrank) tells nothing
      .put("rssPerConnectionBytes", run.rssDelta().isPresent() && run.rssDelta().getAsLong() >= 0
        ? per(run.rssDelta().getAsLong(), run.groupConnections(), 0) : null)
      .put("heapPerConnectionBytes", run.heapDelta().isPresent()
        ? per(run.heapDelta().getAsLong(), run.groupConnections(), 0) : null);
  }

  private static OptionalLong difference(OptionalLong start, OptionalLong end) {
    return start.isPresent() && end.isPresent() ? OptionalLong.of(end.getAsLong() - start.getAsLong()) : OptionalLong.empty();
  }

  /** What the gateway's /metrics say happened to this transport in the window; null without /metrics. */
  private static JsonObject counted(RunFacts run, TransportLoad load) {
    String t = load.transport.wireName();
    Long deliveries = GatewayMetrics.delta(run.start().gatewayMetrics(), run.end().gatewayMetrics(),
      "pushgateway_deliveries_total", t);
    if (deliveries == null) {
      return null;
    }
    return new JsonObject()
      .put("deliveries", deliveries)
      .put("slowConsumerCloses", GatewayMetrics.delta(run.start().gatewayMetrics(), run.end().gatewayMetrics(),
        "pushgateway_slow_consumer_closes_total", t))
      .put("resets", GatewayMetrics.delta(run.start().gatewayMetrics(), run.end().gatewayMetrics(),
        "pushgateway_resets_total", t));
  }

  private static JsonObject loadGenerator(RunFacts run, double window) {
    long cpu = run.end().selfCpuMs() - run.start().selfCpuMs();
    return new JsonObject()
      .put("sharedWith", new JsonArray(run.group().stream().map(Transport::wireName).toList()))
      .put("cpuMs", cpu)
      .put("cpuMsPer1000Deliveries", per(cpu * 1000, run.groupDeliveries(), 3))
      .put("cpuPercentOfCore", round(cpu / 10.0 / window, 1))
      .put("publisherMaxLagMs", round(run.publisher().maxLagMs(), 3))
      .put("publishRejected", run.publisher().rejected())
      // measured when the subscribers are the project's Java client (--client java): what one costs
      .put("clientHeapPerConnectionBytes", run.clientHeapDelta().isPresent()
        ? per(run.clientHeapDelta().getAsLong(), run.groupConnections(), 0) : null)
      .put("clientThreadsPerConnection", run.clientHeapDelta().isPresent()
        ? per(run.clientThreadsDelta(), run.groupConnections(), 2) : null);
  }

  /** CPU of everything else on the machine in the window: a noise indicator. */
  private static JsonObject machine(RunFacts run, double window) {
    OptionalLong a = run.start().machineCpuMs();
    OptionalLong b = run.end().machineCpuMs();
    Long other = null;
    if (a.isPresent() && b.isPresent()) {
      long gw = run.end().gatewayCpuMs().orElse(0) - run.start().gatewayCpuMs().orElse(0);
      long self = run.end().selfCpuMs() - run.start().selfCpuMs();
      other = Math.max(0, b.getAsLong() - a.getAsLong() - gw - self);
    }
    return new JsonObject()
      .put("cores", Runtime.getRuntime().availableProcessors())
      .put("otherProcessesCpuMs", other);
  }

  private static Double per(long amount, long count, int decimals) {
    return count <= 0 ? null : round((double) amount / count, decimals);
  }

  /** {@code a / b} rounded to 3 decimals; null when either is unknown or b is not above 0. */
  static Double ratio(Double a, Double b) {
    return a == null || b == null || b <= 0 ? null : round(a / b, 3);
  }

  static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
