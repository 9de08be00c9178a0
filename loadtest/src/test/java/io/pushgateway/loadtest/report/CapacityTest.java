package io.pushgateway.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A sweep's highest value served per series: nothing lost and p99 within 50 ms. */
class CapacityTest {

  @Test
  void theHighestValueServedPerSeries() {
    JsonArray runs = new JsonArray()
      .add(run("ws", "spawned", 100, 5, 0)).add(run("ws", "nchan", 100, 4, 0))
      .add(run("ws", "spawned", 1000, 30, 0)).add(run("ws", "nchan", 1000, 80, 0))
      .add(run("ws", "spawned", 5000, 45, 3)).add(run("ws", "nchan", 5000, 400, 0))
      .add(run("short", "spawned", 100, 900, 0));
    JsonObject capacity = ResultDocument.capacity(runs);
    assertThat(capacity.getJsonObject("ws").getLong("value")).isEqualTo(1000);
    assertThat(capacity.getJsonObject("ws nchan").getLong("value")).isEqualTo(100);
    assertThat(capacity.getValue("short")).isNull();
    assertThat(capacity.fieldNames()).containsExactly("ws", "ws nchan", "short");
  }

  static JsonObject run(String transport, String target, long value, double p99, long lost) {
    return new JsonObject().put("transport", transport).put("target", target).put("sweepValue", value)
      .put("deliveredPerSecond", value * 10.0)
      .put("latencyMs", new JsonObject().put("p99", p99))
      .put("integrity", new JsonObject().put("lost", lost));
  }
}
