package io.pushgateway.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.target.ExternalTarget;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run against an embedded gateway: subscribers cut off at random and resuming on
 * random transports lose nothing, receive nothing twice, and the bad input gets its documented
 * answers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChaosRunTest {

  @TempDir
  Path dir;

  @Test
  void wellBehavedSubscribersLoseNothingUnderChaos() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Gateway gateway = Gateway.deploy(vertx, GatewayConfig.defaults().with("host", "127.0.0.1").with("port", 0)
        .with("maxQueueBytes", 65536)).await(20, TimeUnit.SECONDS);
      ExternalTarget target = new ExternalTarget(List.of(new Endpoint("127.0.0.1", gateway.port())), OptionalLong.empty());
      JsonObject result = new ChaosRun(target, new ChaosRun.Settings(5, 8, 1, 20, 256, 7),
        new PrintStream(OutputStream.nullOutputStream())).run(dir);

      assertThat(result.getLong("published")).isGreaterThanOrEqualTo(50);
      assertThat(result.getLong("chaosDrops")).isPositive();
      assertThat(result.getLong("lost")).isZero();
      assertThat(result.getLong("duplicates")).isZero();
      assertThat(result.getLong("outOfOrder")).isZero();
      assertThat(ChaosRun.clean(result)).isTrue();
      assertThat(result.getJsonObject("answersToBadInput").fieldNames())
        .allSatisfy(code -> assertThat(code).matches("http (400|413) .+|ws error .+|ws close 1009|ws upgrade http 400"));
      assertThat(Files.readString(dir.resolve("chaos.json"))).contains("\"lost\"");
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }
}
