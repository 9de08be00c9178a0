package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.PayloadKind;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --publish-batch}: at 2,000 events/s the publisher's millisecond timer finds several events
 * due at once and sends them in batch publishes; every event is acknowledged one by one in the
 * batches' acks and reaches every subscriber once, in order.
 */
@Timeout(120)
class BatchPublishRunTest {

  @Test
  void batchedPublishesLoseNothingAndEveryEventIsAcked(@TempDir Path out) throws Exception {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario scenario = new Scenario(List.of(Transport.WS), 5, 2000, 32, 2, 1, 1000, false,
        NetworkProfile.NONE, false, false, PayloadFill.RANDOM, PayloadKind.TEXT, 50);
      LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()),
        OptionalLong.empty(), List.of(), List.of(), out, System.out);
      JsonObject doc = new LoadTest(options, scenario, null).run();

      assertThat(doc.getJsonObject("scenario").getInteger("publishBatch")).isEqualTo(50);
      JsonObject run = doc.getJsonArray("runs").getJsonObject(0);
      JsonObject integrity = run.getJsonObject("integrity");
      assertThat(run.getLong("deliveries")).isEqualTo(5 * 4000L);
      assertThat(integrity.getLong("lost")).isZero();
      assertThat(integrity.getLong("duplicated")).isZero();
      assertThat(integrity.getLong("outOfOrder")).isZero();
      assertThat(integrity.getLong("errors")).isZero();
      assertThat(run.getJsonObject("loadGenerator").getLong("publishRejected")).isZero();
      assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
    }
  }
}
