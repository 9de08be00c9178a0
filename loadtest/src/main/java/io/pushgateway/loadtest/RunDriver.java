package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.ClientContext;
import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.GatewayPublisher;
import io.pushgateway.loadtest.client.NchanPublisher;
import io.pushgateway.loadtest.client.Publisher;
import io.pushgateway.loadtest.client.SocketIoPublisher;
import io.pushgateway.loadtest.client.SubscriberFormat;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.stats.PublishSchedule;
import io.pushgateway.loadtest.target.GatewayMetrics;
import io.pushgateway.loadtest.target.HeapProbe;
import io.pushgateway.loadtest.target.Peer;
import java.lang.management.ManagementFactory;
import io.pushgateway.loadtest.target.ProcessStats;
import io.pushgateway.loadtest.target.Target;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One run: a group of transports (one, or all in concurrent mode) against one target. Phases:
 * connect every subscriber, publish through the warm-up, mark, publish the measured events, wait
 * until every subscriber has them all (bounded), mark again. Runs on the driver thread and blocks
 * there only; all network work happens on the event loops.
 */
final class RunDriver {
  static final int LONG_POLL_TIMEOUT_S = 25;
  /** Subscribers per proxy whose packet timelines go through the radio model: a mean over phones, not all. */
  static final int SAMPLED_PHONES = 50;
  private static final long PROGRESS_EVERY_MS = 1000;
  private static final long DRAIN_CHECK_MS = 20;
  /**
   * How often a gateway is scraped during the warm-up. The window's own scrapes (its start and end
   * marks) would otherwise be among the first requests of their kind: a new connection, another
   * route, a big answer, all branches the JIT compiled the hot request path without. Each then
   * stops that compiled code ("uncommon traps") and the JIT compiles it again, inside the measured
   * window. The JIT gives up such a guess only after a few traps, so a monitored gateway that has
   * run for a while has seen enough scrapes: a warm-up scrapes more often than Prometheus would,
   * to see as many. Every 5 s left a third of long-poll runs at 25,000 deliveries/s with a
   * recompiled write path at the start mark and a slow first span.
   */
  private static final long WARM_UP_SCRAPE_EVERY_MS = 1_000;
  /** No warm-up scrape this close to the window: the JIT settles before the mark. */
  private static final long WARM_UP_SCRAPE_QUIET_MS = 3_000;

  private final Vertx vertx;
  private final LoopPool loops;
  private final HttpClientAgent http;
  private final WebSocketClient publisherWs;
  private final WebSocketClient subscriberWs;
  private final PrintStream log;
  /** Subscribers are the project's Java client instead of the generator's own Vert.x clients. */
  private final boolean javaClient;
  /** What the gateway's subscribers ask for: the compact format, deltas. */
  private final SubscriberFormat format;
  /** The phone radio of {@code runs[].mobile}, or null. */
  private final RadioModel radio;

  /**
   * @param publisherWs  the publisher's client
   * @param subscriberWs the WebSocket subscribers' client: the same, or one that offers
   *                     permessage-deflate (the publisher never does, so only subscribers differ)
   */
  RunDriver(Vertx vertx, LoopPool loops, HttpClientAgent http, WebSocketClient publisherWs,
            WebSocketClient subscriberWs, PrintStream log, boolean javaClient, SubscriberFormat format, RadioModel radio) {
    this.javaClient = javaClient;
    this.format = format;
    this.radio = radio;
    this.vertx = vertx;
    this.loops = loops;
    this.http = http;
    this.publisherWs = publisherWs;
    this.subscriberWs = subscriberWs;
    this.log = log;
  }

  List<JsonObject> run(Scenario s, Long sweepValue, List<Transport> group, Target target, String topic, String label) {
    PublishSchedule schedule = new PublishSchedule(s.rate(), s.warmupS(), s.durationS());
    MultiMap headers = s.browserHeaders() ? BrowserHeaders.get() : MultiMap.caseInsensitiveMultiMap();
    ClientContext ctx = new ClientContext(vertx, http, subscriberWs, topic, headers, s.pollIntervalMs(),
      LONG_POLL_TIMEOUT_S, javaClient, target.peer(), format);
    OptionalLong pid = target.pid();
    Map<Transport, TransportLoad> loads = new LinkedHashMap<>();
    Publisher publisher = switch (target.peer()) {
      case NCHAN -> new NchanPublisher(loops.publisher(), target.endpoints().get(0), topic, schedule, s.payloadBytes(),
        s.payloadFill());
      case SOCKETIO -> new SocketIoPublisher(loops.publisher(), publisherWs, target.endpoints().get(0), topic, schedule,
        s.payloadBytes(), s.payloadFill());
      case GATEWAY -> new GatewayPublisher(loops.publisher(), publisherWs, target.endpoints().get(0), topic, schedule,
        s.payloadBytes(), s.payloadFill(), s.payloadKind(), s.publishBatch());
    };
    try {
      // before the subscribers: a peer's channel is made by the publisher's first message
      Await.result(publisher.connect(), Duration.ofSeconds(10), "connecting the publisher");
      // the live-heap probe attaches to a JVM (with a SIGQUIT): never to a peer, which that would stop
      OptionalLong heapPid = target.peer() == Peer.GATEWAY ? pid : OptionalLong.empty();
      OptionalLong heapBefore = heap(heapPid);
      OptionalLong rssBefore = trimmedRss(pid, heapPid);
      OptionalLong clientHeapBefore = javaClient ? HeapProbe.liveHeapBytes(ProcessHandle.current().pid())
        : OptionalLong.empty();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      for (Transport t : group) {
        loads.put(t, TransportLoad.open(loops, ctx, t, target.endpoints(), s.network(), schedule, s.proxied(),
          radio == null ? 0 : SAMPLED_PHONES));
      }
      for (TransportLoad l : loads.values()) {
        log.printf("%s connecting %d %s subscribers%n", label, s.subscribers(), l.transport.wireName());
        l.connect(s.subscribers());
      }
      Map<Transport, TrafficCounters.Snapshot> setup = new LinkedHashMap<>();
      loads.values().forEach(l -> setup.put(l.transport, l.traffic()));
      OptionalLong heapDelta = delta(heapBefore, heap(heapPid));
      OptionalLong rssDelta = delta(rssBefore, trimmedRss(pid, heapPid));
      OptionalLong clientHeapDelta = javaClient
        ? delta(clientHeapBefore, HeapProbe.liveHeapBytes(ProcessHandle.current().pid())) : OptionalLong.empty();
      int clientThreadsDelta = ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore;

      schedule.begin(System.nanoTime() + 100_000_000L);
      var publishing = publisher.start();
      Progress progress = new Progress(log, label);
      // the mark goes just before the first measured event is due, so none of its deliveries
      // (which start at once) can slip in front of the counters being read
      List<Endpoint> scraped = target.peer() == Peer.GATEWAY ? target.endpoints() : List.of();
      warmUp(schedule.measureStartNanos() - markLeadNanos(s), scraped, schedule, progress, loads);
      Mark start = Mark.take(loads.values(), pid, scraped);
      waitUntil(schedule.measureEndNanos(), "measure", schedule, progress, loads);
      Await.result(publishing, Duration.ofSeconds(30), "the publisher finishing its timetable");
      drain(s, schedule, progress, loads);
      Mark end = Mark.take(loads.values(), pid, scraped);
      progress.done();

      loads.values().forEach(l -> l.stats.collect());
      long groupDeliveries = loads.values().stream().mapToLong(l -> l.stats.measuredDeliveries()).sum();
      int groupConnections = loads.values().stream().mapToInt(TransportLoad::connections).sum();
      Figures.RunFacts facts = new Figures.RunFacts(s, label, sweepValue, target.kind(), group, start, end,
        groupDeliveries, groupConnections, rssDelta, heapDelta, rss(pid), publisher, clientHeapDelta, clientThreadsDelta,
        radio);
      List<JsonObject> out = new ArrayList<>();
      // the gateway's event format; peers have their own
      String formatLabel = target.peer() != Peer.GATEWAY ? null : format.label();
      loads.values().forEach(l -> out.add(Figures.of(facts, l, setup.get(l.transport)).put("format", formatLabel)));
      return out;
    } finally {
      try {
        Await.result(publisher.close().recover(err -> io.vertx.core.Future.succeededFuture()), Duration.ofSeconds(10),
          "closing the publisher");
      } catch (IllegalStateException e) {
        // a saturated server may not answer the close in time: the figures are taken, go on
        log.printf("%s %s%n", label, e.getMessage());
      }
      loads.values().forEach(TransportLoad::close);
    }
  }

  /** Waits out the warm-up, scraping {@code scraped} as a monitored gateway is (see {@link #WARM_UP_SCRAPE_EVERY_MS}). */
  private void warmUp(long deadlineNanos, List<Endpoint> scraped, PublishSchedule schedule, Progress progress,
                      Map<Transport, TransportLoad> loads) {
    long lastScrape = deadlineNanos - TimeUnit.MILLISECONDS.toNanos(WARM_UP_SCRAPE_QUIET_MS);
    for (long next = System.nanoTime(); !scraped.isEmpty() && next <= lastScrape;
         next += TimeUnit.MILLISECONDS.toNanos(WARM_UP_SCRAPE_EVERY_MS)) {
      waitUntil(next, "warmup", schedule, progress, loads);
      GatewayMetrics.scrape(scraped);
    }
    waitUntil(deadlineNanos, "warmup", schedule, progress, loads);
  }

  private static long markLeadNanos(Scenario s) {
    return (long) Math.min(50_000_000L, 500_000_000L / s.rate());
  }

  private void waitUntil(long deadlineNanos, String phase, PublishSchedule schedule, Progress progress,
                         Map<Transport, TransportLoad> loads) {
    double total = (schedule.measureEndNanos() - schedule.originNanos()) / 1e9;
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Pause.millis(Math.min(PROGRESS_EVERY_MS, Math.max(1, left / 1_000_000)));
      progress.update(phase, (System.nanoTime() - schedule.originNanos()) / 1e9, total, loads.values());
    }
  }

  /**
   * Waits until every subscriber has every measured event, or until a bound that covers a poll
   * interval, a long-poll cycle and a few round trips, after which what is missing counts as lost.
   */
  private void drain(Scenario s, PublishSchedule schedule, Progress progress, Map<Transport, TransportLoad> loads) {
    long expected = (long) s.subscribers() * schedule.measuredEvents();
    long boundMs = 5_000 + 2 * s.pollIntervalMs() + 4L * s.network().rttMs();
    long deadline = System.nanoTime() + boundMs * 1_000_000L;
    long nextProgress = 0;
    while (System.nanoTime() < deadline) {
      if (loads.values().stream().allMatch(l -> l.stats.measuredDeliveries() >= expected)) {
        return;
      }
      if (System.nanoTime() >= nextProgress) {
        progress.update("drain", (System.nanoTime() - schedule.originNanos()) / 1e9,
          (schedule.measureEndNanos() - schedule.originNanos()) / 1e9, loads.values());
        nextProgress = System.nanoTime() + PROGRESS_EVERY_MS * 1_000_000L;
      }
      Pause.millis(DRAIN_CHECK_MS);
    }
  }

  private static OptionalLong heap(OptionalLong pid) {
    return pid.isPresent() ? HeapProbe.liveHeapBytes(pid.getAsLong()) : OptionalLong.empty();
  }

  private static OptionalLong rss(OptionalLong pid) {
    return pid.isPresent() ? ProcessStats.treeRssBytes(pid.getAsLong()) : OptionalLong.empty();
  }

  /** The process tree's RSS, a JVM's ({@code jvmPid}) read right after it trimmed its C heap. */
  private static OptionalLong trimmedRss(OptionalLong pid, OptionalLong jvmPid) {
    jvmPid.ifPresent(HeapProbe::trimNativeHeap);
    return rss(pid);
  }

  private static OptionalLong delta(OptionalLong before, OptionalLong after) {
    return before.isPresent() && after.isPresent()
      ? OptionalLong.of(after.getAsLong() - before.getAsLong()) : OptionalLong.empty();
  }
}
