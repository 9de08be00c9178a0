package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.ProbeJvm;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping tells every client to go elsewhere: 503 on /ready, 1001, SSE ends, long polls answered. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GracefulStopTest {

  @Test
  void drainsEveryTransport() throws Exception {
    TestGateway gateway = TestGateway.start(new JsonObject().put("drainDelaySeconds", 1));
    try {
      gateway.publish("stop", 1);
      WsClient ws = new WsClient(gateway.vertx, gateway.port()).open("stop");
      SseClient sse = new SseClient(gateway.vertx, gateway.port()).open("stop");
      String cursor = gateway.get("/poll?topics=stop").json().getString("cursor");
      Future<TestGateway.Reply> longPoll = gateway.getAsync("/poll/long?topics=stop&timeout=60&cursor=" + cursor);
      gateway.awaitSubscribers("stop", "long", 1);
      TestGateway.Reply ready = gateway.get("/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json()).as("a single node has no cluster to report").isEqualTo(new JsonObject().put("status", "READY"));

      Future<Void> closing = gateway.gateway.close();
      assertThat(gateway.get("/ready").status()).as("ready while draining").isEqualTo(503);
      closing.await(20, TimeUnit.SECONDS);

      TestGateway.Reply answered = longPoll.await(10, TimeUnit.SECONDS);
      assertThat(answered.status()).isEqualTo(200);
      assertThat(answered.json().getJsonArray("events")).isEmpty();
      assertThat(answered.json().getString("cursor")).isEqualTo(cursor);
      Eventually.check(gateway.vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1001));
      Eventually.check(gateway.vertx, () -> assertThat(sse.ended()).as("SSE stream ended").isTrue());
    } finally {
      gateway.close();
    }
  }

  /** Publishes still being stored when the stop begins are acked before the 1001 close. */
  @Test
  void aWebSocketGetsItsAcksBeforeGoingAway() throws Exception {
    TestGateway gateway = TestGateway.start(new JsonObject().put("historySize", 100_000));
    try {
      WsClient ws = new WsClient(gateway.vertx, gateway.port()).open("acked");
      // Written without waiting, so that many are on their way to the log when the stop begins.
      for (int i = 0; i < 2000; i++) {
        ws.socket().writeTextMessage(new JsonObject().put("op", "publish").put("topic", "acked")
          .put("data", i).put("ref", "r" + i).encode());
      }
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls()).anyMatch(c -> "ack".equals(c.getString("op"))));
      gateway.gateway.close().await(20, TimeUnit.SECONDS);
      Eventually.check(gateway.vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1001));
      long acks = ws.controls().stream().filter(c -> "ack".equals(c.getString("op"))).count();
      assertThat(acks).as("acks received").isEqualTo(gateway.gateway.log().keptEvents());
    } finally {
      gateway.close();
    }
  }

  @Test
  void sigtermStopsTheProcessGracefully() throws Exception {
    Gateway process = Gateway.spawn();
    Vertx vertx = Vertx.vertx();
    try {
      WsClient ws = new WsClient(vertx, process.port).open("sigterm");
      process.terminate();
      assertThat(process.process.waitFor(20, TimeUnit.SECONDS)).as("exited in time").isTrue();
      Eventually.check(vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1001));
      process.exited.get(10, TimeUnit.SECONDS);
      // start with the effective configuration, stop, and not one warning in between
      assertThat(process.output).anyMatch(line -> line.contains("effective configuration: {"));
      assertThat(process.output).anyMatch(line -> line.contains("push-gateway stopping"));
      assertThat(process.output).anyMatch(line -> line.contains("push-gateway stopped"));
      assertThat(process.output).noneMatch(line -> line.startsWith("WARNING") || line.startsWith("SEVERE"));
    } finally {
      process.process.destroyForcibly();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The process ends when its drain is done, not when its shutdown timeout runs out: with a drain
   * delay (a timer on an event loop) and waiting long polls it once waited for the whole timeout,
   * after an event loop refused the last step of the stop.
   */
  @Test
  void sigtermWithWaitingLongPollsEndsWhenTheDrainIsDone() throws Exception {
    Gateway process = Gateway.spawn("--set", "drainDelaySeconds=1", "--set", "shutdownTimeoutSeconds=120");
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(POLLS));
      HttpClient control = vertx.createHttpClient();
      send(control, process.port, HttpMethod.POST, "/api/topics/stop/events").await(10, TimeUnit.SECONDS);
      String cursor = new JsonObject(send(control, process.port, HttpMethod.GET, "/poll?topics=stop")
        .await(10, TimeUnit.SECONDS)).getString("cursor");
      List<Future<String>> polls = new ArrayList<>();
      for (int i = 0; i < POLLS; i++) {
        polls.add(send(http, process.port, HttpMethod.GET, "/poll/long?timeout=60&topics=stop&cursor=" + cursor));
      }
      Eventually.check(vertx, () -> assertThat(subscribers(control, process.port)).isEqualTo(POLLS));

      process.terminate();
      Future.all(polls).await(30, TimeUnit.SECONDS);
      assertThat(polls).allSatisfy(p -> assertThat(new JsonObject(p.result()).getJsonArray("events")).isEmpty());
      // far less than the 120 s timeout: the process ends with its drain
      assertThat(process.process.waitFor(30, TimeUnit.SECONDS)).as("exited with the drain").isTrue();
      process.exited.get(10, TimeUnit.SECONDS);
      assertThat(process.output).as("the gateway's output").noneMatch(line -> line.contains("Exception"));
    } finally {
      process.process.destroyForcibly();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static final int POLLS = 500;

  private static long subscribers(HttpClient http, int port) throws Exception {
    return new JsonObject(send(http, port, HttpMethod.GET, "/api/topics/stop").await(10, TimeUnit.SECONDS))
      .getJsonObject("subscribers").getLong("long");
  }

  /** A GET, or a POST of the JSON {@code 1}. */
  private static Future<String> send(HttpClient http, int port, HttpMethod method, String uri) {
    return http.request(method, port, "127.0.0.1", uri)
      .compose(request -> (method == HttpMethod.POST
        ? request.putHeader("Content-Type", "application/json").send("1") : request.send())
        .compose(response -> response.body().map(Object::toString)));
  }

  /** The gateway as its own process (GatewayMain); its output is collected until it ends. */
  private record Gateway(Process process, int port, List<String> output, CompletableFuture<Void> exited) {

    static Gateway spawn(String... args) throws Exception {
      List<String> gatewayArgs = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1"));
      gatewayArgs.addAll(List.of(args));
      Process process = ProbeJvm.command(GatewayMain.class, List.of(), gatewayArgs).start();
      List<String> output = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> exited = new CompletableFuture<>();
      return new Gateway(process, portFromLog(process, output, exited), output, exited);
    }

    /** SIGTERM; Process.destroy() would also close our end of its output, losing the last lines. */
    void terminate() {
      process.toHandle().destroy();
    }
  }

  /** Reads the process's output into {@code output} until it ends, which completes {@code exited}. */
  private static int portFromLog(Process process, List<String> output, CompletableFuture<Void> exited)
    throws Exception {
    Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line; (line = reader.readLine()) != null; ) {
          output.add(line);
          Matcher m = listening.matcher(line);
          if (m.find()) {
            return Integer.parseInt(m.group(1));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      throw new IllegalStateException("the gateway exited before listening");
    });
    int found = port.get(30, TimeUnit.SECONDS);
    // Keep draining its output so the process never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        reader.lines().forEach(output::add);
        exited.complete(null);
      } catch (RuntimeException e) {
        exited.completeExceptionally(e);
      }
    }, "gateway-output");
    drain.setDaemon(true);
    drain.start();
    return found;
  }
}
