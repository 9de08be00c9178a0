package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.SubscriberFormat;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.radio.MobileFigures;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.report.Fmt;
import io.pushgateway.loadtest.report.HtmlReport;
import io.pushgateway.loadtest.report.ResultDocument;
import io.pushgateway.loadtest.target.ExternalTarget;
import io.pushgateway.loadtest.target.NchanServer;
import io.pushgateway.loadtest.target.SocketIoServer;
import io.pushgateway.loadtest.target.Peer;
import io.pushgateway.loadtest.target.SpawnedGateway;
import io.pushgateway.loadtest.target.Target;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A whole load test: every point of the sweep (or the one scenario), every transport group, each
 * against a fresh gateway process when none was given, then the JSON result and the HTML report.
 */
public final class LoadTest {
  /** Big enough for any payload the gateway accepts (64 KiB by default) in one frame. */
  /** Room for binary events up to the gateway's default maxBinaryBytes (10 MiB). */
  private static final int MAX_WS_MESSAGE = 16 * 1024 * 1024;
  /** Figures the comparison runs are set against, as paths into a runs[] entry. */
  private static final String RATE = "deliveredPerSecond";
  private static final String P50 = "latencyMs.p50";
  private static final String P99 = "latencyMs.p99";
  private static final String CPU = "gateway.cpuMsPer1000Deliveries";
  private static final String HEAP = "gateway.heapPerConnectionBytes";
  private static final String DOWN = "wire.bytesDownPerEvent";

  /**
   * @param targets           running gateways; empty = start one per run as a separate JVM
   * @param gatewayPid        the local process of a single given target, to read its CPU and memory
   * @param gatewayJvmOptions JVM options of a started gateway
   * @param gatewayArgs       extra arguments of a started gateway
   * @param baseline          also run each WebSocket group against the bare Vert.x broadcaster
   *                          ({@code BaselineServer}) and report the gateway as a ratio of it
   * @param compression       also run each WebSocket group against a second started gateway with
   *                          {@code --set compression=true}, its subscribers offering
   *                          permessage-deflate, and attach its figures to the plain run
   * @param serverCpus        taskset core list for started gateway and baseline JVMs, or null
   * @param radio             the phone radio each subscriber's packets are run through
   *                          ({@code runs[].mobile}), or null for none
   * @param peers             the servers each group runs against, one after another: the gateway
   *                          and/or peers on the same workload
   * @param peerUrl           a peer already running (with a single peer in {@code peers}), or null to start one
   * @param format            what the gateway's subscribers ask for (the compact format, deltas)
   * @param generatorWarmUpS  seconds of unmeasured load on a throwaway server of each kind before the
   *                          first run, so the generator's own JIT is warm (0: none)
   */
  public record Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                        List<String> gatewayArgs, Path outDir, PrintStream log, boolean baseline,
                        boolean compression, String serverCpus, boolean javaClient, RadioModel radio,
                        List<Peer> peers, URI peerUrl, SubscriberFormat format, double generatorWarmUpS) {
    public Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                   List<String> gatewayArgs, Path outDir, PrintStream log, boolean baseline,
                   boolean compression, String serverCpus, boolean javaClient, RadioModel radio,
                   List<Peer> peers, URI peerUrl) {
      this(targets, gatewayPid, gatewayJvmOptions, gatewayArgs, outDir, log, baseline, compression, serverCpus,
        javaClient, radio, peers, peerUrl, SubscriberFormat.JSON, 0);
    }

    public Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                   List<String> gatewayArgs, Path outDir, PrintStream log, boolean baseline,
                   boolean compression, String serverCpus, boolean javaClient) {
      this(targets, gatewayPid, gatewayJvmOptions, gatewayArgs, outDir, log, baseline, compression, serverCpus,
        javaClient, RadioModel.load(DEFAULT_RADIO), List.of(Peer.GATEWAY), null);
    }

    public Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                   List<String> gatewayArgs, Path outDir, PrintStream log) {
      this(targets, gatewayPid, gatewayJvmOptions, gatewayArgs, outDir, log, false, false, null, false);
    }
  }

  /** The radio model of {@code runs[].mobile} unless {@code --radio} says otherwise. */
  public static final String DEFAULT_RADIO = "lte";

  /**
   * A server JVM the load test starts: {@code name} names its log ({@code name-N.log}) and, for the
   * runs repeated against it, the label's suffix.
   */
  private record Server(String name, String what, String mainClass, String kind, List<String> args) {
  }

  private final Options options;
  private final Scenario base;
  private final Sweep sweep;
  private final Server gateway;
  private final Server baseline;
  private final Server compressedGateway;

  public LoadTest(Options options, Scenario base, Sweep sweep) {
    if (options.compression() && !options.targets().isEmpty()) {
      throw new IllegalArgumentException("compression runs start their own gateways: give no targets");
    }
    this.options = options;
    this.base = base;
    this.sweep = sweep;
    this.gateway = new Server("gateway", "the gateway", SpawnedGateway.MAIN_CLASS, "spawned", options.gatewayArgs());
    this.baseline = new Server("baseline", "the bare Vert.x baseline", SpawnedGateway.BASELINE_CLASS, "baseline",
      List.of());
    List<String> compressedArgs = new ArrayList<>(options.gatewayArgs());
    compressedArgs.addAll(List.of("--set", "compression=true"));
    this.compressedGateway = new Server("compressed", "the gateway with compression on", SpawnedGateway.MAIN_CLASS,
      "spawned", List.copyOf(compressedArgs));
  }

  /** Runs everything and writes result.json and report.html; returns the result document. */
  public JsonObject run() {
    Instant started = Instant.now();
    int eventLoops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(eventLoops + 1));
    try {
      LoopPool loops = LoopPool.deploy(vertx, eventLoops);
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setMaxChunkSize(64 * 1024));
      WebSocketClient ws = vertx.createWebSocketClient(wsOptions(false));
      RunDriver driver = new RunDriver(vertx, loops, http, ws, ws, options.log(), options.javaClient(),
        options.format(), options.radio());
      RunDriver deflating = options.compression()
        ? new RunDriver(vertx, loops, http, ws, vertx.createWebSocketClient(wsOptions(true)), options.log(),
          options.javaClient(), options.format(), options.radio()) : null;
      String runId = Long.toString(System.currentTimeMillis(), 36);
      JsonArray runs = new JsonArray();
      List<Sweep.Point> points = sweep == null ? List.of(new Sweep.Point(base, 0)) : sweep.points(base);
      if (options.generatorWarmUpS() > 0) {
        warmUpGenerator(driver, points.get(0), runId);
      }
      int n = 0;
      for (Sweep.Point at : points) {
        Long value = sweep == null ? null : at.value();
        List<String> pointArgs = sweep == null ? List.of() : sweep.gatewayArgs(at.value());
        for (List<Transport> group : groups(at.scenario())) {
          // the gateway and the peers one after another on the same group, so each is compared in one run
          for (Peer peer : options.peers()) {
            List<Transport> served = served(peer, group);
            if (served.isEmpty()) {
              continue;
            }
            n++;
            String label = "[" + n + "] " + (value == null ? "" : sweep.parameter() + "=" + value + " ")
              + runName(served, peer);
            List<JsonObject> measured;
            try (Target target = open(peer, Integer.toString(n), pointArgs)) {
              measured = driver.run(at.scenario(), value, served, target, "lt-" + runId + "-" + n, label);
            }
            measured.forEach(runs::add);
            if (peer == Peer.GATEWAY && group.equals(List.of(Transport.WS))) {
              againstOthers(measured.get(0), driver, deflating, at.scenario(), value, runId, n, label).forEach(runs::add);
            }
          }
        }
      }
      JsonObject generator = new JsonObject().put("eventLoops", eventLoops)
        .put("nativeTransport", vertx.isNativeTransportEnabled())
        .put("warmupSeconds", options.generatorWarmUpS());
      JsonObject doc = ResultDocument.build(started, Instant.now(), base, sweep, targetJson(), generator, runs);
      write(doc);
      return doc;
    } finally {
      Await.result(vertx.close(), Duration.ofSeconds(20), "stopping the load generator");
    }
  }

  /** A run's name in its label: its transports, and the peer unless it is the gateway. */
  private static String runName(List<Transport> served, Peer peer) {
    return String.join("+", served.stream().map(Transport::wireName).toList())
      + (peer == Peer.GATEWAY ? "" : " " + peer.wireName());
  }

  /** The server of run {@code run} (its logs' suffix): the gateway or a peer. */
  private Target open(Peer peer, String run, List<String> pointArgs) {
    return peer == Peer.GATEWAY ? openTarget(run, pointArgs) : openPeer(run, peer);
  }

  /** The transports of {@code group} that {@code peer} serves; says so when it serves none. */
  private List<Transport> served(Peer peer, List<Transport> group) {
    List<Transport> served = group.stream().filter(peer::serves).toList();
    if (served.isEmpty()) {
      options.log().printf("%s has no %s transport: n/a%n", peer.wireName(),
        String.join("+", group.stream().map(Transport::wireName).toList()));
    }
    return served;
  }

  /**
   * Drives a throwaway server of each kind through the first point's groups, unmeasured, so the
   * generator's own code is compiled before any run counts: a fresh generator spends its first
   * seconds in the JIT too, and with a short {@code --warmup} that would be measured as the
   * server's latency.
   */
  private void warmUpGenerator(RunDriver driver, Sweep.Point first, String runId) {
    Scenario s = first.scenario().withTiming(options.generatorWarmUpS(), 0);
    List<String> pointArgs = sweep == null ? List.of() : sweep.gatewayArgs(first.value());
    int k = 0;
    for (List<Transport> group : groups(s)) {
      for (Peer peer : options.peers()) {
        List<Transport> served = served(peer, group);
        if (served.isEmpty()) {
          continue;
        }
        try (Target target = open(peer, "warm-up-" + ++k, pointArgs)) {
          driver.run(s, null, served, target, "lt-" + runId + "-warm-up", "[generator warm-up] " + runName(served, peer));
        }
      }
    }
  }

  /**
   * A gateway WebSocket run again against the bare broadcaster ({@code --baseline}) and a compressing
   * gateway ({@code --compression}), their figures set beside {@code plain}'s; returns their runs.
   */
  private List<JsonObject> againstOthers(JsonObject plain, RunDriver driver, RunDriver deflating, Scenario point,
                                         Long value, String runId, int n, String label) {
    List<JsonObject> out = new ArrayList<>();
    if (options.baseline()) {
      JsonObject bare = rerun(baseline, driver, point, value, runId, n, label);
      JsonObject ratio = vsBaseline(plain, bare);
      plain.put("vsBaseline", ratio);
      options.log().printf("%s vs bare Vert.x: delivered/s %s of %s, p99 %s x %s ms, CPU/1k %s x %s ms%n", label,
        ratio.getValue("deliveredPerSecondRatio"), ratio.getValue("deliveredPerSecond"), ratio.getValue("p99Ratio"),
        ratio.getValue("p99Ms"), ratio.getValue("cpuRatio"), ratio.getValue("cpuMsPer1000Deliveries"));
      out.add(bare);
    }
    if (deflating != null) {
      JsonObject deflated = rerun(compressedGateway, deflating, point, value, runId, n, label)
        .put("compression", true);
      JsonObject c = compressed(plain, deflated);
      plain.put("compressed", c);
      options.log().printf("%s compressed: B/event down %s (x%s), CPU/1k %s ms (x%s), p99 %s ms (x%s), "
          + "permessage-deflate on %s of %s subscribers%n", label, c.getValue("bytesDownPerEvent"),
        c.getValue("bytesDownRatio"), c.getValue("cpuMsPer1000Deliveries"), c.getValue("cpuRatio"),
        c.getValue("p99Ms"), c.getValue("p99Ratio"), c.getValue("deflateNegotiated"),
        deflated.getValue("subscribers"));
      out.add(deflated);
    }
    return out;
  }

  /** The gateway's figures as a share of the bare broadcaster's on the same scenario and clients. */
  static JsonObject vsBaseline(JsonObject gateway, JsonObject bare) {
    return new JsonObject()
      .put("deliveredPerSecond", bare.getDouble(RATE))
      .put("deliveredPerSecondRatio", ratio(gateway, bare, RATE))
      .put("p99Ms", Fmt.num(bare, P99))
      .put("p99Ratio", ratio(gateway, bare, P99))
      .put("cpuMsPer1000Deliveries", Fmt.num(bare, CPU))
      .put("cpuRatio", ratio(gateway, bare, CPU));
  }

  /**
   * The compressed run's figures beside the plain run's, on the same scenario: each ratio is
   * compressed / plain, so below 1 means compression costs less of that.
   */
  static JsonObject compressed(JsonObject plain, JsonObject deflated) {
    return new JsonObject()
      .put("deflateNegotiated", deflated.getValue("deflateNegotiated"))
      .put("deliveries", deflated.getLong("deliveries"))
      .put("lost", deflated.getJsonObject("integrity").getLong("lost"))
      .put("bytesDownPerEvent", Fmt.num(deflated, DOWN))
      .put("bytesDownRatio", ratio(deflated, plain, DOWN))
      .put("cpuMsPer1000Deliveries", Fmt.num(deflated, CPU))
      .put("cpuRatio", ratio(deflated, plain, CPU))
      .put("heapPerConnectionBytes", Fmt.num(deflated, HEAP))
      .put("heapPerConnectionRatio", ratio(deflated, plain, HEAP))
      .put("rssPerConnectionBytes", Fmt.num(deflated, "gateway.rssPerConnectionBytes"))
      .put("p50Ms", Fmt.num(deflated, P50))
      .put("p50Ratio", ratio(deflated, plain, P50))
      .put("p99Ms", Fmt.num(deflated, P99))
      .put("p99Ratio", ratio(deflated, plain, P99));
  }

  /** {@code a}'s figure at {@code path} over {@code b}'s. */
  private static Double ratio(JsonObject a, JsonObject b, String path) {
    return Figures.ratio(Fmt.num(a, path), Fmt.num(b, path));
  }

  /** The same WebSocket run once more against another started server, each subscriber through {@code driver}. */
  private JsonObject rerun(Server server, RunDriver driver, Scenario point, Long value, String runId, int n,
                           String label) {
    try (Target target = start(server, Integer.toString(n))) {
      return driver.run(point, value, List.of(Transport.WS), target, server.name() + "-" + runId + "-" + n,
        label + " " + server.name()).get(0);
    }
  }

  private static WebSocketClientOptions wsOptions(boolean offerDeflate) {
    return new WebSocketClientOptions().setMaxConnections(1_000_000).setTryUsePerMessageCompression(offerDeflate)
      // as browsers do: accept a server that asks the client to compress each message on its own
      .setCompressionAllowClientNoContext(offerDeflate)
      .setMaxFrameSize(MAX_WS_MESSAGE).setMaxMessageSize(MAX_WS_MESSAGE);
  }

  private static List<List<Transport>> groups(Scenario s) {
    if (s.concurrent()) {
      return List.of(s.transports());
    }
    return s.transports().stream().map(List::of).toList();
  }

  /** @param pointArgs options this sweep point gives a started gateway (a heartbeat sweep's intervals) */
  private Target openTarget(String run, List<String> pointArgs) {
    if (!options.targets().isEmpty()) {
      List<Endpoint> endpoints = options.targets().stream().map(Endpoint::of).toList();
      return new ExternalTarget(endpoints, options.gatewayPid());
    }
    if (pointArgs.isEmpty()) {
      return start(gateway, run);
    }
    List<String> args = new ArrayList<>(gateway.args());
    args.addAll(pointArgs);
    return start(new Server(gateway.name(), gateway.what(), gateway.mainClass(), gateway.kind(), List.copyOf(args)), run);
  }

  /** How each peer ran, by name (null for one that did not); null when only the gateway did. */
  private JsonObject peerDetails() {
    if (options.peers().equals(List.of(Peer.GATEWAY))) {
      return null;
    }
    return new JsonObject()
      .put("nchan", options.peers().contains(Peer.NCHAN)
        ? new JsonObject(new java.util.LinkedHashMap<>(NchanServer.describe())) : null)
      .put("socketio", options.peers().contains(Peer.SOCKETIO)
        ? new JsonObject(new java.util.LinkedHashMap<>(SocketIoServer.describe())) : null);
  }

  /** A peer for run {@code run} (its log's suffix): the one at {@code --peer-url}, or a fresh one started for the run. */
  private Target openPeer(String run, Peer peer) {
    if (options.peerUrl() != null) {
      return new ExternalTarget(List.of(Endpoint.of(options.peerUrl())), OptionalLong.empty(), peer);
    }
    Path log = options.outDir().resolve(peer.wireName() + "-" + run + ".log");
    options.log().printf("starting %s (log: %s)%n", peer.wireName(), log);
    return peer == Peer.SOCKETIO ? SocketIoServer.start(log, options.serverCpus())
      : NchanServer.start(log, options.serverCpus());
  }

  private Target start(Server server, String run) {
    Path log = options.outDir().resolve(server.name() + "-" + run + ".log");
    options.log().printf("starting %s (log: %s)%n", server.what(), log);
    return SpawnedGateway.start(server.mainClass(), server.kind(), log, options.gatewayJvmOptions(), server.args(),
      options.serverCpus());
  }

  private JsonObject targetJson() {
    return new JsonObject()
      .put("kind", options.targets().isEmpty() ? "spawned" : "external")
      .put("urls", new JsonArray(options.targets().stream().map(URI::toString).toList()))
      .put("jvmOptions", new JsonArray(new ArrayList<>(options.gatewayJvmOptions())))
      .put("baseline", options.baseline())
      .put("compression", options.compression())
      .put("cpus", options.serverCpus())
      .put("peers", new JsonArray(options.peers().stream().map(Peer::wireName).toList()))
      .put("peerDetails", peerDetails())
      .put("radio", options.radio() == null ? null : MobileFigures.describe(options.radio()));
  }

  private void write(JsonObject doc) {
    try {
      Files.createDirectories(options.outDir());
      Files.writeString(options.outDir().resolve("result.json"), doc.encodePrettily() + "\n");
      Files.writeString(options.outDir().resolve("report.html"), HtmlReport.render(doc));
      for (var chart : HtmlReport.charts(doc).entrySet()) {
        Files.writeString(options.outDir().resolve(chart.getKey()), chart.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the results to " + options.outDir(), e);
    }
    options.log().println();
    options.log().print(ConsoleTable.render(doc));
    options.log().printf("%nresults: %s%n        %s%n", options.outDir().resolve("result.json"),
      options.outDir().resolve("report.html"));
  }
}
