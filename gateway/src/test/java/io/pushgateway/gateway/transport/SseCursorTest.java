package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every cursor entry the gateway hands out names its epoch, also for a topic the client resumed
 * by id alone ({@code topic:0}) and that has had no event since: an SSE {@code id:} line is such
 * a cursor, and the browser sends it back as {@code Last-Event-ID}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SseCursorTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void everyEntryOfAnSseIdNamesItsEpoch() throws Exception {
    gateway.publish("quiet", 1);
    SseClient sse = new SseClient(gateway.vertx, gateway.port()).open("loud,quiet,unborn", "loud:0,quiet:1,unborn:0");
    try {
      gateway.publish("loud", 1);
      sse.awaitEvents(1);
      String epoch = gateway.get("/api/topics/quiet").json().getString("epoch");
      assertThat(sse.cursor().split(","))
        .as("the id of the event on loud")
        .allSatisfy(entry -> assertThat(entry).matches("[a-z]+:\\d+:\\w+"))
        .contains("quiet:1:" + epoch);
    } finally {
      sse.close();
    }
  }
}
