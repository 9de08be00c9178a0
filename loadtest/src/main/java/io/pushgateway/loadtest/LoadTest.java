package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.report.HtmlReport;
import io.pushgateway.loadtest.report.ResultDocument;
import io.pushgateway.loadtest.target.ExternalTarget;
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
  private static final int MAX_WS_MESSAGE = 4 * 1024 * 1024;

  /**
   * @param targets           running gateways; empty = start one per run as a separate JVM
   * @param gatewayPid        the local process of a single given target, to read its CPU and memory
   * @param gatewayJvmOptions JVM options of a started gateway
   * @param gatewayArgs       extra arguments of a started gateway
   * @param baseline          also run each WebSocket group against the bare Vert.x broadcaster
   *                          ({@code BaselineServer}) and report the gateway as a ratio of it
   * @param serverCpus        taskset core list for started gateway and baseline JVMs, or null
   */
  public record Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                        List<String> gatewayArgs, Path outDir, PrintStream log, boolean baseline,
                        String serverCpus) {
    public Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                   List<String> gatewayArgs, Path outDir, PrintStream log) {
      this(targets, gatewayPid, gatewayJvmOptions, gatewayArgs, outDir, log, false, null);
    }
  }

  private final Options options;
  private final Scenario base;
  private final Sweep sweep;

  public LoadTest(Options options, Scenario base, Sweep sweep) {
    this.options = options;
    this.base = base;
    this.sweep = sweep;
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
      WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
        .setTryUsePerMessageCompression(false).setMaxFrameSize(MAX_WS_MESSAGE).setMaxMessageSize(MAX_WS_MESSAGE));
      RunDriver driver = new RunDriver(vertx, loops, http, ws, options.log());
      String runId = Long.toString(System.currentTimeMillis(), 36);
      JsonArray runs = new JsonArray();
      List<Scenario> points = sweep == null ? List.of(base) : sweep.points(base);
      int n = 0;
      for (Scenario point : points) {
        Long value = sweep == null ? null : sweep.valueOf(point);
        for (List<Transport> group : groups(point)) {
          n++;
          String label = "[" + n + "] " + (value == null ? "" : sweep.parameter() + "=" + value + " ")
            + String.join("+", group.stream().map(Transport::wireName).toList());
          List<JsonObject> measured;
          try (Target target = openTarget(n)) {
            measured = driver.run(point, value, group, target, "lt-" + runId + "-" + n, label);
          }
          measured.forEach(runs::add);
          if (options.baseline() && group.equals(List.of(Transport.WS))) {
            Path log = options.outDir().resolve("baseline-" + n + ".log");
            options.log().printf("starting the bare Vert.x baseline (log: %s)%n", log);
            List<JsonObject> bare;
            try (Target target = SpawnedGateway.start(SpawnedGateway.BASELINE_CLASS, "baseline", log,
              options.gatewayJvmOptions(), List.of(), options.serverCpus())) {
              bare = driver.run(point, value, group, target, "bl-" + runId + "-" + n, label + " baseline");
            }
            JsonObject ratio = vsBaseline(measured.get(0), bare.get(0));
            measured.get(0).put("vsBaseline", ratio);
            options.log().printf("%s vs bare Vert.x: delivered/s %s of %s, p99 %s x %s ms, CPU/1k %s x %s ms%n", label,
              ratio.getValue("deliveredPerSecondRatio"), ratio.getValue("deliveredPerSecond"), ratio.getValue("p99Ratio"),
              ratio.getValue("p99Ms"), ratio.getValue("cpuRatio"), ratio.getValue("cpuMsPer1000Deliveries"));
            bare.forEach(runs::add);
          }
        }
      }
      JsonObject generator = new JsonObject().put("eventLoops", eventLoops)
        .put("nativeTransport", vertx.isNativeTransportEnabled());
      JsonObject doc = ResultDocument.build(started, Instant.now(), base, sweep, targetJson(), generator, runs);
      write(doc);
      return doc;
    } finally {
      Await.result(vertx.close(), Duration.ofSeconds(20), "stopping the load generator");
    }
  }

  /** The gateway's figures as a share of the bare broadcaster's on the same scenario and clients. */
  static JsonObject vsBaseline(JsonObject gateway, JsonObject bare) {
    double gwRate = gateway.getDouble("deliveredPerSecond");
    double blRate = bare.getDouble("deliveredPerSecond");
    Double gwP99 = gateway.getJsonObject("latencyMs").getDouble("p99");
    Double blP99 = bare.getJsonObject("latencyMs").getDouble("p99");
    Double gwCpu = gateway.getJsonObject("gateway").getDouble("cpuMsPer1000Deliveries");
    Double blCpu = bare.getJsonObject("gateway").getDouble("cpuMsPer1000Deliveries");
    return new JsonObject()
      .put("deliveredPerSecond", blRate)
      .put("deliveredPerSecondRatio", blRate == 0 ? null : Figures.round(gwRate / blRate, 3))
      .put("p99Ms", blP99)
      .put("p99Ratio", gwP99 == null || blP99 == null || blP99 == 0 ? null : Figures.round(gwP99 / blP99, 3))
      .put("cpuMsPer1000Deliveries", blCpu)
      .put("cpuRatio", gwCpu == null || blCpu == null || blCpu == 0 ? null : Figures.round(gwCpu / blCpu, 3));
  }

  private static List<List<Transport>> groups(Scenario s) {
    if (s.concurrent()) {
      return List.of(s.transports());
    }
    return s.transports().stream().map(List::of).toList();
  }

  private Target openTarget(int n) {
    if (!options.targets().isEmpty()) {
      List<Endpoint> endpoints = options.targets().stream().map(Endpoint::of).toList();
      return new ExternalTarget(endpoints, options.gatewayPid());
    }
    Path log = options.outDir().resolve("gateway-" + n + ".log");
    options.log().printf("starting the gateway (log: %s)%n", log);
    return SpawnedGateway.start(SpawnedGateway.MAIN_CLASS, "spawned", log, options.gatewayJvmOptions(),
      options.gatewayArgs(), options.serverCpus());
  }

  private JsonObject targetJson() {
    return new JsonObject()
      .put("kind", options.targets().isEmpty() ? "spawned" : "external")
      .put("urls", new JsonArray(options.targets().stream().map(URI::toString).toList()))
      .put("jvmOptions", new JsonArray(new ArrayList<>(options.gatewayJvmOptions())))
      .put("baseline", options.baseline())
      .put("cpus", options.serverCpus());
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
