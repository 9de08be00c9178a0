package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --client java}: the subscribers are the project's Java client, on every transport,
 * measured like the generator's own clients (every event once, the generator's CPU per delivery).
 */
@Timeout(120)
class JavaClientRunTest {

  @Test
  void theJavaClientIsMeasuredLikeAnyOtherSubscriber(@TempDir Path out) {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario scenario = new Scenario(List.of(Transport.values()), 10, 4, 64, 3, 1, 500, false,
        NetworkProfile.NONE, false, true);
      LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()),
        OptionalLong.empty(), List.of(), List.of(), out, System.out, false, false, null, true);
      JsonObject result = new LoadTest(options, scenario, null).run();
      JsonArray runs = result.getJsonArray("runs");
      assertThat(runs).hasSize(4);
      for (int i = 0; i < runs.size(); i++) {
        JsonObject run = runs.getJsonObject(i);
        assertThat(run.getLong("deliveries")).as(run.getString("transport"))
          .isEqualTo(run.getJsonObject("window").getLong("expectedDeliveries")).isPositive();
        assertThat(run.getJsonObject("integrity").getLong("lost")).as(run.getString("transport")).isZero();
        assertThat(run.getJsonObject("integrity").getLong("duplicated")).isZero();
        JsonObject generator = run.getJsonObject("loadGenerator");
        assertThat(generator.getLong("cpuMs")).isPositive();
        // measured; their size needs a spawned gateway and more subscribers than here: this process
        // holds the gateway too, and the clients of the previous run end while this one connects
        assertThat(generator.getLong("clientHeapPerConnectionBytes")).as("heap per Java client").isNotNull();
        assertThat(generator.getDouble("clientThreadsPerConnection")).as("threads per Java client").isNotNull();
      }
    }
  }
}
