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
   */
  public record Options(List<URI> targets, OptionalLong gatewayPid, List<String> gatewayJvmOptions,
                        List<String> gatewayArgs, Path outDir, PrintStream log) {
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
          try (Target target = openTarget(n)) {
            driver.run(point, value, group, target, "lt-" + runId + "-" + n, label).forEach(runs::add);
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
    return SpawnedGateway.start(log, options.gatewayJvmOptions(), options.gatewayArgs());
  }

  private JsonObject targetJson() {
    return new JsonObject()
      .put("kind", options.targets().isEmpty() ? "spawned" : "external")
      .put("urls", new JsonArray(options.targets().stream().map(URI::toString).toList()))
      .put("jvmOptions", new JsonArray(new ArrayList<>(options.gatewayJvmOptions())));
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
