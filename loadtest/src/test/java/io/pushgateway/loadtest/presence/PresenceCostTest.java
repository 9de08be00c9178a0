package io.pushgateway.loadtest.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tiny presence-cost run against a spawned gateway: in a listed room every push subscriber gets
 * one frame per join and per leave, pollers fewer (the list, not a replay); in a room above
 * maxPresenceMembers the push subscribers get counts, far fewer frames than changes.
 */
@Timeout(120)
class PresenceCostTest {

  @Test
  void listedRoomsTellEveryChangeAndBigRoomsCoalesce() throws Exception {
    PresenceCost cost = new PresenceCost();
    cost.subscribers = 3;
    cost.churn = 6;
    cost.maxMembers = List.of(1000, 2);

    JsonObject listed = cost.run(1000);
    assertThat(listed.getBoolean("listed")).isTrue();
    assertThat(listed.getInteger("changes")).isEqualTo(12);
    for (String push : List.of("ws", "sse")) {
      JsonObject figures = listed.getJsonObject("transports").getJsonObject(push);
      assertThat(figures.getDouble("framesPerSubscriber")).as(push).isEqualTo(12.0);
      assertThat(figures.getDouble("bytesDownPerSubscriberPerChange")).as(push).isGreaterThan(50.0);
    }
    assertThat(listed.getJsonObject("transports").getJsonObject("short").getDouble("framesPerSubscriber"))
      .isLessThan(12.0);
    assertThat(listed.getDouble("gatewayCpuMsPerChange")).isPositive();

    JsonObject big = cost.run(2);
    assertThat(big.getBoolean("listed")).isFalse();
    assertThat(big.getJsonObject("transports").getJsonObject("ws").getDouble("framesPerSubscriber"))
      .isGreaterThan(0.0).isLessThan(12.0);
  }
}
