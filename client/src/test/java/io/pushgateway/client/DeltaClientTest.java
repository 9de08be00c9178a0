package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code deltas()} in the Java client, against a real gateway: events after the first come as
 * patches on every transport and in both formats, and the listener gets whole data all the same,
 * members added, changed and removed, nested objects too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeltaClientTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  private static List<JsonObject> quotes() {
    List<JsonObject> quotes = new ArrayList<>();
    for (int n = 1; n <= 6; n++) {
      JsonObject quote = new JsonObject().put("n", n).put("name", "Acme Corporation, common stock")
        .put("venue", new JsonObject().put("mic", "XNAS").put("open", n % 2 == 0)).put("bid", 100.25 + n);
      if (n % 3 == 0) {
        quote.put("halted", true); // added, then removed by the next
      }
      quotes.add(quote);
    }
    return quotes;
  }

  /** The quotes, published to {@code topic} in one batch. */
  private static List<JsonObject> publishQuotes(String topic) throws Exception {
    List<JsonObject> quotes = quotes();
    JsonArray batch = new JsonArray();
    quotes.forEach(q -> batch.add(new JsonObject().put("topic", topic).put("data", q)));
    assertThat(gateway.request(HttpMethod.POST, "/api/events", Buffer.buffer(new JsonObject().put("events", batch)
      .encode()), "application/json").status()).isEqualTo(200);
    return quotes;
  }

  @ParameterizedTest(name = "{0}, compact {1}")
  @CsvSource({"WS,false", "WS,true", "SSE,false", "SSE,true", "LONG,false", "SHORT,true"})
  void theListenerGetsWholeDataFromPatches(Transport transport, boolean compact) throws Exception {
    String topic = "delta-" + transport.label() + (compact ? "-compact" : "");
    List<JsonObject> quotes = publishQuotes(topic);

    Recorder recorder = new Recorder();
    PushClient.Builder builder = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic)
      .transport(transport).deltas().cursor(topic + ":0").pollInterval(Duration.ofMillis(100)).listener(recorder);
    try (PushClient client = (compact ? builder.compact() : builder).build()) {
      client.connect();
      recorder.await("event 6", () -> recorder.ids().contains(6L));

      List<JsonObject> data = new ArrayList<>();
      synchronized (recorder) {
        recorder.events.forEach(e -> data.add(new JsonObject(e.dataJson())));
      }
      assertThat(data).containsExactlyElementsOf(quotes);
      assertThat(client.stats().patches).isEqualTo(5);
      assertThat(client.stats().reconnects).isZero();
    }
  }

  /**
   * A client started from a saved cursor holds no data there: on a stream the first event comes
   * whole by itself; a poller leaves {@code delta} out until it holds the data, so it is never sent
   * a patch it cannot apply.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"WS", "SSE", "LONG", "SHORT"})
  void aClientResumingFromASavedCursorGetsWholeDataFirst(Transport transport) throws Exception {
    String topic = "resumed-" + transport.label();
    List<JsonObject> quotes = publishQuotes(topic);
    String saved = gateway.request(HttpMethod.GET, "/poll?topics=" + topic + "&cursor=" + topic + ":0&limit=3", null, null)
      .json().getString("cursor");
    assertThat(saved).startsWith(topic + ":3:");

    Recorder recorder = new Recorder();
    try (PushClient client = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic)
           .transport(transport).deltas().cursor(saved).pollInterval(Duration.ofMillis(100)).listener(recorder)
           .build()) {
      client.connect();
      recorder.await("event 6", () -> recorder.ids().contains(6L));
      List<JsonObject> data = new ArrayList<>();
      synchronized (recorder) {
        recorder.events.forEach(e -> data.add(new JsonObject(e.dataJson())));
      }
      assertThat(data).containsExactlyElementsOf(quotes.subList(3, 6));
      assertThat(client.stats().reconnects).isZero();
      // a stream patches 5 and 6 from the 4 it sent; a poller's first answer may hold all three, whole
      assertThat(client.stats().patches).isLessThanOrEqualTo(2);
    }
  }
}
