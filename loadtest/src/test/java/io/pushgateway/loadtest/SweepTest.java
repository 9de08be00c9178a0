package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The series a sweep makes: each point's scenario, its value, and what a started gateway is given. */
class SweepTest {
  static final Scenario BASE = new Scenario(List.of(Transport.values()), 10, 1, 64, 10, 1, 1000, true,
    NetworkProfile.NONE, false, true);

  @Test
  void eventsPerMinuteSetsThePublishersRate() {
    List<Sweep.Point> points = Sweep.parse("events-per-minute=1,60,600").points(BASE);
    assertThat(points).extracting(p -> p.scenario().rate()).containsExactly(1 / 60.0, 1.0, 10.0);
    assertThat(points).extracting(Sweep.Point::value).containsExactly(1L, 60L, 600L);
    assertThat(Sweep.parse("events-per-minute=1,60").gatewayArgs(1)).isEmpty();
  }

  @Test
  void heartbeatSetsTheStartedGatewaysPingAndKeepAliveIntervals() {
    Sweep sweep = Sweep.parse("heartbeat=15,120");
    assertThat(sweep.points(BASE)).extracting(Sweep.Point::scenario).containsExactly(BASE, BASE);
    assertThat(sweep.gatewayArgs(120)).containsExactly("--set", "pingIntervalSeconds=120", "--set",
      "sseKeepAliveSeconds=120", "--set", "idleTimeoutSeconds=240");
    assertThat(sweep.gatewayArgs(15)).endsWith("idleTimeoutSeconds=90");
  }

  @Test
  void pollIntervalPointsAfterTheFirstRunShortPollingOnly() {
    List<Sweep.Point> points = Sweep.parse("poll-interval=5000,30000").points(BASE);
    assertThat(points.get(0).scenario().transports()).hasSize(4);
    assertThat(points.get(1).scenario().transports()).containsExactly(Transport.SHORT);
    assertThat(points.get(1).value()).isEqualTo(30000L);
  }

  @Test
  void unknownParametersAreRefused() {
    assertThatThrownBy(() -> Sweep.parse("rate=1,2")).hasMessageContaining("events-per-minute");
  }
}
