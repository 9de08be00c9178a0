package io.pushgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.core.Transport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The only class that names meters. Every gateway meter starts with {@code pushgateway_}; the
 * routine label is {@code transport} (four values), so cardinality stays bounded: never a label
 * per topic or per client. Names follow the Prometheus conventions once Micrometer has rendered
 * them: base units ({@code _seconds}, {@code _bytes}) and {@code _total} on counters.
 *
 * <p>The registry is injected: {@code GatewayMain} shares it with Vert.x's own meters (see
 * {@link VertxMeters}); an embedded gateway on a plain {@code Vertx} gets its own, with the
 * gateway's and the JVM's meters only.
 */
public final class GatewayMetrics implements AutoCloseable {

  /**
   * Latency buckets an operator writes SLOs against, on top of Micrometer's percentile histogram
   * (kept between 1 ms and 30 s so a transport has about 70 buckets, not 276).
   */
  private static final Duration[] LATENCY_SLOS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5)};

  private static final Transport[] TRANSPORTS = Transport.values();

  private final PrometheusMeterRegistry registry;
  private final Map<Transport, AtomicLong> connections = new EnumMap<>(Transport.class);
  /** Every thread's delivery counters, summed when scraped. */
  private final List<LoopCounters> loops = new CopyOnWriteArrayList<>();
  /**
   * The calling thread's delivery counters: an event loop's own, so a delivery adds without
   * contention. A JDK thread local: Netty's faster one is an internal of the write path.
   */
  private final ThreadLocal<LoopCounters> loop = ThreadLocal.withInitial(() -> {
    LoopCounters counters = new LoopCounters();
    loops.add(counters);
    return counters;
  });
  private final Hub.DispatchObserver liveLatency = new LiveLatency();
  private final Map<Transport, Timer> latency = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> resets = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> slowConsumerCloses = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> pollsWithEvents = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> pollsEmpty = new EnumMap<>(Transport.class);
  private final Map<ErrorCode, Counter> rejected = new EnumMap<>(ErrorCode.class);
  private final Counter published;
  private final Counter repeated;
  private final Counter longPollShortcuts;
  private final Counter publishedJsonBytes;
  private final Counter publishedBinaryBytes;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  /** What the gauges read; set by {@link #watch} when a gateway starts with this instance. */
  private volatile Sources sources = new Sources(null, null, () -> false);
  /** Occupants, joins and leaves of presence, as {@link #watchPresence} points them; 0 while off. */
  private volatile LongSupplier[] presence = {() -> 0, () -> 0, () -> 0};
  private volatile LongSupplier receiving = () -> 0;
  private volatile LongSupplier revocations = () -> 0;
  /** The last scrape rendered or being rendered: shared by the scrapes that come while it runs. */
  private CompletableFuture<String> rendering;

  public GatewayMetrics() {
    this(newRegistry());
  }

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (Transport t : Transport.values()) {
      String label = t.label();
      AtomicLong open = new AtomicLong();
      connections.put(t, open);
      Gauge.builder("pushgateway_connections", open, AtomicLong::get)
        .description("Open subscriber connections (waiting requests for long polling, 0 for short polling)")
        .tag("transport", label)
        .register(registry);
      Gauge.builder("pushgateway_subscriptions", this, m -> m.subscriptions(t))
        .description("Open topic subscriptions: a connection subscribed to n topics counts n")
        .tag("transport", label)
        .strongReference(true)
        .register(registry);
      int i = t.ordinal();
      FunctionCounter.builder("pushgateway_deliveries", this, m -> m.sum(i, false))
        .description("Events written to subscribers")
        .tag("transport", label)
        .register(registry);
      FunctionCounter.builder("pushgateway_written_bytes", this, m -> m.sum(i, true))
        .description("Bytes of events written to subscribers (poll answers: the whole body)")
        .baseUnit("bytes")
        .tag("transport", label)
        .register(registry);
      latency.put(t, Timer.builder("pushgateway_delivery_latency")
        .description("From accepting a publish (the event's ts) to writing it live to the subscribers "
          + "of one event loop; one sample per event, event loop and transport")
        .tag("transport", label)
        .publishPercentileHistogram()
        .serviceLevelObjectives(LATENCY_SLOS)
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry));
      resets.put(t, counter("pushgateway_resets", "Resets sent because a cursor could not be honoured", label));
      slowConsumerCloses.put(t, counter("pushgateway_slow_consumer_closes",
        "Connections closed because their write queue was full", label));
      if (t == Transport.LONG || t == Transport.SHORT) {
        pollsWithEvents.put(t, Counter.builder("pushgateway_polls")
          .description("Poll answers by result").tag("transport", label).tag("result", "events").register(registry));
        pollsEmpty.put(t, Counter.builder("pushgateway_polls")
          .description("Poll answers by result").tag("transport", label).tag("result", "empty").register(registry));
      }
    }
    for (ErrorCode code : ErrorCode.values()) {
      rejected.put(code, Counter.builder("pushgateway_rejected_requests")
        .description("Requests and frames refused, by error code")
        .tag("code", code.code())
        .register(registry));
    }
    longPollShortcuts = Counter.builder("pushgateway_long_poll_shortcuts")
      .description("Long polls served below Vert.x as re-polls of a request the perimeter let through (see "
        + "RePollShortcut); the rest of pushgateway_polls_total{transport=\"long\"} went through Vert.x")
      .register(registry);
    published = Counter.builder("pushgateway_events_published")
      .description("Events accepted into history")
      .register(registry);
    repeated = Counter.builder("pushgateway_publishes_repeated")
      .description("Publishes not stored because their idempotency key names an event the topic keeps: "
        + "publishers retrying (answers lost, connections dropped)")
      .register(registry);
    publishedJsonBytes = publishedBytes(registry, "json");
    publishedBinaryBytes = publishedBytes(registry, "binary");
    Gauge.builder("pushgateway_history_events", this, m -> m.fromLog(EventLog::keptEvents))
      .description("Events kept in history over all topics")
      .strongReference(true)
      .register(registry);
    Gauge.builder("pushgateway_history_topics", this, m -> m.fromLog(EventLog::topicCount))
      .description("Topics with history")
      .strongReference(true)
      .register(registry);
    FunctionCounter.builder("pushgateway_cluster_append_batches", this, m -> m.fromLog(EventLog::appendBatches))
      .description("Calls with appends this node made to topic owners, one round trip each, carrying one or more "
        + "topics' batches (0 on a single node): events published over calls is how many share a round trip")
      .register(registry);
    Gauge.builder("pushgateway_cluster_backups_in_sync", this, m -> m.fromLog(log -> log.backupsInSync() ? 1 : 0))
      .description("1 when every event this node is the first home of has its backups on other nodes, so one more "
        + "node may die without losing history; 0 while they are being copied after a node joined, left or died "
        + "(1 on a single node)")
      .strongReference(true)
      .register(registry);
    Gauge.builder("pushgateway_cluster_members", this, m -> m.fromLog(EventLog::clusterMembers))
      .description("Cluster members this node saw at its last backup check (1 on a single node)")
      .strongReference(true)
      .register(registry);
    Gauge.builder("pushgateway_presence_occupants", this, m -> m.presence[0].getAsLong())
      .description("Connections listed in presence over every topic (a connection in n topics counts n), as this node sees the cluster")
      .strongReference(true)
      .register(registry);
    String[] kinds = {"join", "leave"};
    for (int k = 0; k < kinds.length; k++) {
      int index = k + 1;
      FunctionCounter.builder("pushgateway_presence_changes", this, m -> m.presence[index].getAsLong())
        .description("Members that joined or left a topic, as this node saw them")
        .tag("kind", kinds[k])
        .register(registry);
    }
    Gauge.builder("pushgateway_revocations", this, m -> m.revocations.getAsLong())
      .description("Token revocations kept now (POST /api/revocations, each until its until); its bound is "
        + "maxRevocations")
      .strongReference(true)
      .register(registry);
    Gauge.builder("pushgateway_receiving_bytes", this, m -> m.receiving.getAsLong())
      .description("Bytes of publishes being received now (HTTP bodies by their Content-Length, announced WebSocket "
        + "binary messages); its bound is maxReceivingBytes")
      .baseUnit("bytes")
      .strongReference(true)
      .register(registry);
    Gauge.builder("pushgateway_ready", this, m -> m.sources.ready().getAsBoolean() ? 1 : 0)
      .description("1 while this node serves (GET /ready is 200), 0 while starting or draining")
      .strongReference(true)
      .register(registry);
    bindJvm(registry);
  }

  /**
   * A Prometheus registry for a gateway (and, in {@code GatewayMain}, for Vert.x too). Two of
   * Micrometer's processor meters break the Prometheus naming rules that {@code promtool check
   * metrics} enforces: {@code process_cpu_time_ns_total} (abbreviated unit, replaced by the
   * conventional {@code process_cpu_seconds_total} below) and {@code system_cpu_count} (a gauge
   * ending in {@code _count}, renamed). Filters must be in place before any meter registers.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
      .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
      .meterFilter(new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
        }
      });
    return registry;
  }

  /** JVM and process meters: memory, GC, threads, classes, CPU, uptime, open files. */
  private void bindJvm(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
        .description("CPU time used by the gateway's process")
        .baseUnit("seconds")
        .register(registry);
    }
    new UptimeMetrics().bindTo(registry);
    // The gateway holds one socket per subscriber, so the open-files limit is its real ceiling.
    new FileDescriptorMetrics().bindTo(registry);
  }

  private Counter counter(String name, String description, String transport) {
    return Counter.builder(name).description(description).tag("transport", transport).register(registry);
  }

  /** Points the gauges at a started gateway's log, subscriber counts and readiness. */
  public void watch(EventLog log, SubscriberCounts counts, BooleanSupplier ready) {
    sources = new Sources(log, counts, ready);
  }

  /** Points {@code pushgateway_receiving_bytes} at the gateway's limits. */
  public void watchReceiving(LongSupplier bytes) {
    receiving = bytes;
  }

  /** Points {@code pushgateway_revocations} at the gateway's revoked tokens. */
  public void watchRevocations(LongSupplier kept) {
    revocations = kept;
  }

  /** Points the presence meters at a started gateway's presence. */
  public void watchPresence(LongSupplier occupants, LongSupplier joins, LongSupplier leaves) {
    presence = new LongSupplier[] {occupants, joins, leaves};
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text format; safe from any thread (the endpoint calls it off the event loop). */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * The Prometheus text, rendered on {@code worker}; the scrapes that come while one renders get its
   * text. A render walks every meter (about a millisecond of CPU), so without sharing, a few
   * clients scraping in a loop kept both cores of a small machine rendering.
   */
  public synchronized CompletableFuture<String> scrapeShared(Executor worker) {
    // a render that has ended is never handed out: its text may be older than the request
    if (rendering == null || rendering.isDone()) {
      rendering = CompletableFuture.supplyAsync(this::scrape, worker);
    }
    return rendering;
  }

  /** Stops the GC listener; the registry itself belongs to whoever created it. */
  @Override
  public void close() {
    gc.close();
  }

  public void connectionOpened(Transport transport) {
    connections.get(transport).incrementAndGet();
  }

  public void connectionClosed(Transport transport) {
    connections.get(transport).decrementAndGet();
  }

  public long connections(Transport transport) {
    return connections.get(transport).get();
  }

  /**
   * Counts {@code events} of {@code bytes} written to subscribers of {@code transport}, live,
   * from history or in a poll answer alike. A plain add to the calling thread's own counters:
   * at a fan-out of 10,000 a shared counter would cost as much as the writes themselves.
   */
  public void delivered(Transport transport, int events, long bytes) {
    loop.get().add(transport.ordinal(), events, bytes);
  }

  /**
   * What an event loop's hub tells around each live fan-out, to time it: see {@link LiveLatency}.
   * It observes only: the hub dispatches whether or not anyone watches.
   */
  public Hub.DispatchObserver liveLatency() {
    return liveLatency;
  }

  /** An event accepted: {@code bytes} of its data, JSON text or (binary) the raw bytes. */
  public void published(boolean binary, long bytes) {
    published.increment();
    (binary ? publishedBinaryBytes : publishedJsonBytes).increment(bytes);
  }

  /** A publish answered with the event its idempotency key stored before. */
  public void repeated() {
    repeated.increment();
  }

  private static Counter publishedBytes(MeterRegistry registry, String kind) {
    return Counter.builder("pushgateway_published_bytes")
      .description("Data bytes of the events accepted: JSON as UTF-8 text, binary data as its raw bytes")
      .baseUnit("bytes")
      .tag("kind", kind)
      .register(registry);
  }

  public void rejected(ErrorCode code) {
    rejected.get(code).increment();
  }

  public void reset(Transport transport) {
    resets.get(transport).increment();
  }

  public void slowConsumerClosed(Transport transport) {
    slowConsumerCloses.get(transport).increment();
  }

  /** A long poll taken below Vert.x, as the re-poll of one the perimeter let through. */
  public void longPollShortcut() {
    longPollShortcuts.increment();
  }

  public void polled(Transport transport, boolean empty) {
    (empty ? pollsEmpty : pollsWithEvents).get(transport).increment();
  }

  private double subscriptions(Transport transport) {
    SubscriberCounts counts = sources.counts();
    return counts == null ? 0 : counts.total(transport);
  }

  private double sum(int transport, boolean bytes) {
    long sum = 0;
    for (LoopCounters counters : loops) {
      sum += counters.read(transport, bytes);
    }
    return sum;
  }

  /** A figure of the watched log; 0 before the gateway has one. */
  private double fromLog(ToLongFunction<EventLog> figure) {
    EventLog log = sources.log();
    return log == null ? 0 : figure.applyAsLong(log);
  }

  private record Sources(EventLog log, SubscriberCounts counts, BooleanSupplier ready) {
  }

  /**
   * One thread's deliveries and bytes per transport. Only the owning thread writes, so an add is
   * a plain read and an ordered store (no lock, no atomic read-modify-write); a scrape on another
   * thread reads a value at most a few writes old.
   */
  private static final class LoopCounters {
    final AtomicLongArray events = new AtomicLongArray(TRANSPORTS.length);
    final AtomicLongArray bytes = new AtomicLongArray(TRANSPORTS.length);
    /** Events per transport when the current live fan-out began; owner thread only. */
    final long[] mark = new long[TRANSPORTS.length];

    void add(int transport, int n, long length) {
      events.lazySet(transport, events.getPlain(transport) + n);
      bytes.lazySet(transport, bytes.getPlain(transport) + length);
    }

    long read(int transport, boolean ofBytes) {
      return (ofBytes ? bytes : events).get(transport);
    }
  }

  /**
   * Delivery latency of live fan-outs, one sample per event, event loop and transport that wrote it.
   *
   * <p>Why not one sample per delivery: at a fan-out of 10,000 subscribers that is 10,000 timer
   * updates (atomic adds on shared cache lines) per event, as much work as the writes themselves.
   * Instead the loop's delivery counts are marked before the hub's fan-out and compared after
   * it: each transport that wrote the event gets one sample, taken after the loop's last write,
   * i.e. the slowest delivery of that event on that loop, which is what a p99 alert is about.
   * The cost is O(events x event loops), independent of fan-out. Deliveries outside a live
   * fan-out (catch-up from history, short polls) get no sample: their age is the client's
   * choice, not the gateway's delay. Resolution is 1 ms, like {@code ts}.
   */
  private final class LiveLatency implements Hub.DispatchObserver {
    @Override
    public void dispatching(Event event) {
      LoopCounters counters = loop.get();
      for (int i = 0; i < TRANSPORTS.length; i++) {
        counters.mark[i] = counters.events.getPlain(i);
      }
    }

    @Override
    public void dispatched(Event event) {
      LoopCounters counters = loop.get();
      long millis = -1;
      for (int i = 0; i < TRANSPORTS.length; i++) {
        if (counters.events.getPlain(i) != counters.mark[i]) {
          if (millis < 0) {
            // ts comes from the clock of the node that accepted the event: clamp skew in a cluster.
            millis = Math.max(0, System.currentTimeMillis() - event.ts());
          }
          latency.get(TRANSPORTS[i]).record(millis, TimeUnit.MILLISECONDS);
        }
      }
    }
  }
}
