package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code rewind(n)} in the Java client, against a real gateway: a client joining late gets each
 * topic's newest n events, then the live ones, on every transport and in both formats; a topic
 * rewound on its own beside one from "now"; nothing counted as a gap or a duplicate.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RewindClientTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @ParameterizedTest(name = "{0}, compact {1}")
  @CsvSource({"WS,false", "WS,true", "SSE,false", "SSE,true", "LONG,false", "SHORT,true"})
  void aLateClientGetsTheNewestEventsThenTheLiveOnes(Transport transport, boolean compact) throws Exception {
    String topic = "rewind-" + transport.label() + (compact ? "-compact" : "");
    String other = topic + "-other";
    gateway.publishMany(topic, 6);
    gateway.publishMany(other, 6);

    Recorder recorder = new Recorder();
    PushClient.Builder builder = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic, other)
      .transport(transport).rewind(topic, 3).pollInterval(Duration.ofMillis(100)).listener(recorder);
    try (PushClient client = (compact ? builder.compact() : builder).build()) {
      client.connect();
      recorder.await("event 6", () -> recorder.ids().contains(6L));
      gateway.publish(topic, new JsonObject().put("n", 7));
      gateway.publish(other, new JsonObject().put("n", 7));
      recorder.await("both events 7", () -> recorder.ids().stream().filter(id -> id == 7L).count() == 2);

      synchronized (recorder) {
        assertThat(recorder.events).filteredOn(e -> e.topic().equals(topic)).extracting(Event::id)
          .containsExactly(4L, 5L, 6L, 7L);
        assertThat(recorder.events).filteredOn(e -> e.topic().equals(other)).extracting(Event::id)
          .as("not rewound: from now").containsExactly(7L);
      }
      assertThat(client.stats().gaps).isZero();
      assertThat(client.stats().duplicates).isZero();
      assertThat(client.stats().reconnects).isZero();
    }
  }

  @Test
  void aRewindIsBoundedAndNamesTheClientsTopics() {
    PushClient.Builder builder = PushClient.builder("http://127.0.0.1:1").topics("a");
    assertThatThrownBy(() -> builder.rewind(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.rewind("a", 10_000_001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.rewind("b", 5).build()).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("b");
  }
}
