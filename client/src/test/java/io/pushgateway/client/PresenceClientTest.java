package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Presence in the Java client, on every transport against a real gateway: the snapshot on joining
 * lists the client itself, another client's arrival is a join and its departure a leave (a
 * poller's are the differences between two answers), and {@code members} / {@code occupancy} say
 * who is there at any time.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PresenceClientTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true).put("presenceGraceSeconds", 1));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void membersJoinAndLeaveAsTheGatewayTellsThem(Transport transport) throws Exception {
    String topic = "room-" + transport.label();
    Recorder ann = new Recorder();
    try (PushClient annClient = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic)
           .transport(transport).presence().name("ann").pollInterval(Duration.ofMillis(300)).listener(ann).build()) {
      annClient.connect();
      ann.await("ann's snapshot with herself", () -> ann.presence.contains("snapshot " + topic + ": [ann]"));

      Recorder bob = new Recorder();
      try (PushClient bobClient = PushClient.builder("http://127.0.0.1:" + gateway.port()).topics(topic)
             .transport(Transport.WS).presence().name("bob").listener(bob).build()) {
        bobClient.connect();
        bob.await("bob's snapshot", () -> bob.presence.contains("snapshot " + topic + ": [ann, bob]"));
        ann.await("bob's join", () -> ann.presence.contains("join " + topic + ": bob"));
        assertThat(annClient.members(topic)).extracting(Member::id).containsExactly("ann", "bob");
        assertThat(annClient.members(topic).get(1).transports()).containsExactly("ws");
        assertThat(annClient.occupancy(topic).members()).isEqualTo(2);
        assertThat(annClient.occupancy(topic).on(Transport.WS)).isEqualTo(transport == Transport.WS ? 2 : 1);
      }
      ann.await("bob's leave", () -> ann.presence.contains("leave " + topic + ": bob"));
      assertThat(annClient.members(topic)).extracting(Member::id).containsExactly("ann");
      assertThat(annClient.occupancy(topic).members()).isEqualTo(1);
      assertThat(ann.presence).as("one join and one leave of bob, none of ann")
        .filteredOn(line -> !line.startsWith("snapshot")).containsExactly("join " + topic + ": bob", "leave " + topic + ": bob");
    }
  }
}
