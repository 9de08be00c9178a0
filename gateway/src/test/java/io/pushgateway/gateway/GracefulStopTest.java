package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
      assertThat(gateway.get("/ready").status()).isEqualTo(200);

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

  @Test
  void sigtermStopsTheProcessGracefully() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
      GatewayMain.class.getName(), "--port", "0", "--host", "127.0.0.1")
      .redirectErrorStream(true)
      .start();
    Vertx vertx = Vertx.vertx();
    List<String> output = new CopyOnWriteArrayList<>();
    try {
      CompletableFuture<Void> exited = new CompletableFuture<>();
      int port = portFromLog(process, output, exited);
      WsClient ws = new WsClient(vertx, port).open("sigterm");
      // SIGTERM; Process.destroy() would also close our end of its output, losing the last lines
      process.toHandle().destroy();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited in time").isTrue();
      Eventually.check(vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1001));
      exited.get(10, TimeUnit.SECONDS);
      // start with the effective configuration, stop, and not one warning in between
      assertThat(output).anyMatch(line -> line.contains("effective configuration: {"));
      assertThat(output).anyMatch(line -> line.contains("push-gateway stopping"));
      assertThat(output).anyMatch(line -> line.contains("push-gateway stopped"));
      assertThat(output).noneMatch(line -> line.startsWith("WARNING") || line.startsWith("SEVERE"));
    } finally {
      process.destroyForcibly();
      vertx.close().await(10, TimeUnit.SECONDS);
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
