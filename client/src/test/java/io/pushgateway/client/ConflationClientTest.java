package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code conflate(window)} in the Java client, on every transport against a real gateway: each
 * burst arrives as its newest values, ids skipping in order, and the client takes the skips for
 * what it asked, not for a loss (no gap counted, no reconnect).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConflationClientTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void burstsArriveAsTheirNewestValuesWithoutAGap(Transport transport) throws Exception {
    String topic = "conflated-" + transport.label();
    Recorder recorder = new Recorder();
    try (PushClient client = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic)
           .transport(transport).conflate(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(100))
           .listener(recorder).build()) {
      client.connect();
      recorder.await("open", () -> !recorder.opens.isEmpty());
      publishBurst(topic, 1, 10);
      recorder.await("event 10", () -> recorder.ids().contains(10L));
      publishBurst(topic, 11, 20);
      recorder.await("event 20", () -> recorder.ids().contains(20L));

      List<Long> ids = recorder.ids();
      assertThat(ids).isSorted().doesNotHaveDuplicates().endsWith(20L).hasSizeLessThan(20);
      assertThat(client.stats().gaps).isZero();
      assertThat(client.stats().reconnects).isZero();
      assertThat(client.cursor()).startsWith(topic + ":20:");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void oneTopicConflatedAndTheOtherWhole(Transport transport) throws Exception {
    String prices = "prices-" + transport.label();
    String fills = "fills-" + transport.label();
    Recorder recorder = new Recorder();
    try (PushClient client = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(prices, fills)
           .transport(transport).conflate(prices, Duration.ofMillis(300)).pollInterval(Duration.ofMillis(100))
           .listener(recorder).build()) {
      client.connect();
      recorder.await("open", () -> !recorder.opens.isEmpty());
      publishBurst(prices, 1, 10);
      publishBurst(fills, 1, 10);
      recorder.await("both tens", () -> ids(recorder, prices).contains(10L) && ids(recorder, fills).contains(10L));

      assertThat(ids(recorder, fills)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(ids(recorder, prices)).isSorted().hasSizeLessThan(10).endsWith(10L);
      assertThat(client.stats().gaps).isZero();
      assertThat(client.stats().reconnects).isZero();
    }
  }

  private static List<Long> ids(Recorder recorder, String topic) {
    synchronized (recorder) {
      return recorder.events.stream().filter(e -> e.topic().equals(topic)).map(Event::id).toList();
    }
  }

  @Test
  void aWindowThatIsNotOneIsRefused() {
    PushClient.Builder builder = PushClient.builder("http://127.0.0.1:1");
    assertThatThrownBy(() -> builder.conflate(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.conflate(Duration.ofMinutes(11))).isInstanceOf(IllegalArgumentException.class);
  }

  /** Events {@code n} = from..to in one batch, so each burst is stored before anyone reads it. */
  private static void publishBurst(String topic, int from, int to) throws Exception {
    JsonArray events = new JsonArray();
    for (int n = from; n <= to; n++) {
      events.add(new JsonObject().put("topic", topic).put("data", new JsonObject().put("n", n)));
    }
    assertThat(gateway.request(HttpMethod.POST, "/api/events",
      Buffer.buffer(new JsonObject().put("events", events).encode()), "application/json").status()).isEqualTo(200);
  }
}
