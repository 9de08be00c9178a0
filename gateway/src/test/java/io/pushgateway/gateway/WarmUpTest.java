package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warm-up ({@code warmUpSeconds}): real clients on every enabled transport of a private copy
 * of the gateway get events, whatever the real gateway's perimeter, and the copy is gone after.
 */
class WarmUpTest {

  private static final Duration SHORT = Duration.ofSeconds(1);

  @Test
  void everyTransportGetsEventsAndTheCopyIsClosedAfter() throws Exception {
    WarmUp.Report report = WarmUp.run(GatewayConfig.defaults(), SHORT);

    assertThat(report.published()).isPositive();
    assertThat(report.received()).containsOnlyKeys(Transport.values());
    assertEveryTransportGotEvents(report);
    assertThatThrownBy(() -> new Socket("127.0.0.1", report.port()).close()).isInstanceOf(ConnectException.class);
  }

  /** The traffic pauses for the JIT after each round, but never for longer than the traffic ran. */
  @Test
  void thePausesForTheJitAreBoundedByTheTraffic() throws Exception {
    WarmUp.Report report = WarmUp.run(GatewayConfig.defaults(), SHORT);

    assertThat(report.paused()).isPositive().isLessThanOrEqualTo(SHORT.plusMillis(WarmUp.ROUNDS * 20L));
    assertThat(report.took()).isGreaterThanOrEqualTo(SHORT.plus(report.paused()));
  }

  /** Embedded beside a running gateway, a warm-up shares nothing with it: not its history, not its meters. */
  @Test
  void aGatewayInTheSameProcessSeesNothingOfTheWarmUp() throws Exception {
    try (TestGateway real = TestGateway.start()) {
      WarmUp.run(GatewayConfig.defaults(), SHORT);

      assertThat(real.get("/poll?topics=" + WarmUp.TOPIC + "&cursor=" + WarmUp.TOPIC + ":0").json()
        .getJsonArray("events")).isEmpty();
      assertThat(real.get("/metrics").body()).contains("pushgateway_events_published_total 0.0");
      assertThat(real.publishId(WarmUp.TOPIC, 1)).isEqualTo(1);
    }
  }

  @Test
  void onlyTheEnabledTransportsAreWarmed() throws Exception {
    WarmUp.Report report = WarmUp.run(GatewayConfig.defaults().with("transports", "sse,long"), SHORT);

    assertThat(report.received()).containsOnlyKeys(Transport.SSE, Transport.LONG);
    assertEveryTransportGotEvents(report);
  }

  /** Auth, origins, connection and rate limits would refuse the warm-up's clients: the copy has none. */
  @Test
  void theRealGatewaysPerimeterDoesNotStopTheWarmUp() throws Exception {
    GatewayConfig guarded = GatewayConfig.fromJson(new JsonObject(Map.of(
      "auth", true, "jwtHmacSecret", "a-secret-of-at-least-thirty-two-characters",
      "maxConnections", 1, "maxConnectionsPerIp", 1, "publishRatePerIp", 1, "publishRatePerConnection", 1,
      "host", "0.0.0.0", "port", 8080, "demo", true)));

    WarmUp.Report report = WarmUp.run(guarded, SHORT);

    assertThat(report.published()).isGreaterThan(1);
    assertEveryTransportGotEvents(report);
    assertThat(report.port()).isNotEqualTo(8080);
  }

  private static void assertEveryTransportGotEvents(WarmUp.Report report) {
    assertThat(report.received())
      .allSatisfy((transport, events) -> assertThat(events).as(transport.label()).isPositive());
  }
}
