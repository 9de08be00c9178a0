package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.SubscriberFormat;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --generator-warmup}: before the measured run, the same load drives the server unmeasured
 * on a topic of its own, and only the measured run is reported.
 */
@Timeout(90)
class GeneratorWarmUpTest {

  @TempDir
  Path out;

  @Test
  void theGeneratorIsWarmedOnATopicOfItsOwnAndOnlyTheMeasuredRunIsReported() throws Exception {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario scenario = new Scenario(List.of(Transport.WS, Transport.LONG), 5, 10, 32, 2, 0, 250,
        false, NetworkProfile.NONE, false, true);
      LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()), OptionalLong.empty(), List.of(),
        List.of(), out, System.out, false, false, null, false, null, List.of(Peer.GATEWAY), null, SubscriberFormat.JSON, 1);
      JsonObject result = new LoadTest(options, scenario, null).run();

      assertThat(result.getJsonObject("loadGenerator").getDouble("warmupSeconds")).isEqualTo(1.0);
      assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(result)).isEmpty();
      JsonArray runs = result.getJsonArray("runs");
      assertThat(runs.stream().map(r -> ((JsonObject) r).getString("transport"))).containsExactly("ws", "long");
      for (Object run : runs) {
        JsonObject integrity = ((JsonObject) run).getJsonObject("integrity");
        assertThat(integrity.getLong("lost")).isZero();
        assertThat(integrity.getLong("duplicated")).isZero();
      }
      // the warm-up published on its own topic, one per transport group; the measured runs on theirs
      HttpResponse<String> topics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/api/topics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(topics.statusCode()).isEqualTo(200);
      String listed = topics.body();
      assertThat(listed).containsPattern("lt-[0-9a-z]+-warm-up\"");
      assertThat(listed).containsPattern("lt-[0-9a-z]+-1\"").containsPattern("lt-[0-9a-z]+-2\"");
    }
  }
}
