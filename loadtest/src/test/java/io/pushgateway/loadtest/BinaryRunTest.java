package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.PayloadKind;
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
 * {@code --payload-kind binary} end to end at small scale, all four transports at once: every
 * binary event arrives once and in order (its sequence number and time read from its bytes, raw
 * on WebSocket, base64 elsewhere), and the wire shows what base64 costs: SSE carries a third more
 * bytes per event than WebSocket.
 */
@Timeout(120)
class BinaryRunTest {

  private static final int SUBSCRIBERS = 10;
  private static final int PAYLOAD = 20_000;

  @Test
  void binaryEventsReachEveryTransportAndBase64CostsAThirdMore(@TempDir Path out) throws Exception {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario scenario = new Scenario(List.of(Transport.values()), SUBSCRIBERS, 4, PAYLOAD, 3, 1, 250, true,
        NetworkProfile.NONE, false, true, PayloadFill.RANDOM, PayloadKind.BINARY);
      LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()),
        OptionalLong.empty(), List.of(), List.of(), out, System.out);
      JsonObject doc = new LoadTest(options, scenario, null).run();

      assertThat(doc.getJsonObject("scenario").getString("payloadKind")).isEqualTo("binary");
      JsonArray runs = doc.getJsonArray("runs");
      double ws = 0;
      double sse = 0;
      for (int i = 0; i < runs.size(); i++) {
        JsonObject run = runs.getJsonObject(i);
        JsonObject integrity = run.getJsonObject("integrity");
        String t = run.getString("transport");
        assertThat(run.getLong("deliveries")).as(t).isEqualTo(SUBSCRIBERS * 12L);
        assertThat(integrity.getLong("lost")).as(t).isZero();
        assertThat(integrity.getLong("duplicated")).as(t).isZero();
        assertThat(integrity.getLong("outOfOrder")).as(t).isZero();
        assertThat(integrity.getLong("errors")).as(t).isZero();
        double down = run.getJsonObject("wire").getDouble("bytesDownPerEvent");
        if (t.equals("ws")) {
          ws = down;
        } else if (t.equals("sse")) {
          sse = down;
        }
      }
      assertThat(ws).as("WebSocket: the raw bytes and a small envelope").isBetween(PAYLOAD * 1.0, PAYLOAD * 1.05);
      assertThat(sse / ws).as("SSE: base64, 4/3 of the bytes").isBetween(1.3, 1.4);
      assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
    }
  }
}
