package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;

/**
 * What the peer run tests share: a small run of every transport at once against one peer, and the
 * rule for a peer that is not installed (fail in CI, which installs it; skip elsewhere).
 */
final class PeerRun {
  static final int SUBSCRIBERS = 20;
  /** 2 s at 10 events/s. */
  static final int EVENTS = 20;

  private PeerRun() {
  }

  static JsonObject run(Peer peer, boolean installed, String install, Path out) {
    if (!installed) {
      String message = peer.wireName() + " cannot run here: " + install;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message);
      }
      Assumptions.abort(message);
    }
    Scenario scenario = new Scenario(List.of(Transport.values()), SUBSCRIBERS, 10, 64, 2, 1, 250, true,
      NetworkProfile.NONE, false, true);
    return new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of(), List.of(), out, System.out,
      false, false, null, false, RadioModel.load("lte"), List.of(peer), null), scenario, null).run();
  }

  /** Every event once, in order, with nothing lost and no error, on each run of {@code doc}, from {@code peer}. */
  static void assertEveryEventOnceInOrder(JsonObject doc, Peer peer) {
    JsonArray runs = doc.getJsonArray("runs");
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.getJsonObject(i);
      String transport = r.getString("transport");
      assertThat(r.getString("target")).isEqualTo(peer.wireName());
      assertThat(r.getLong("deliveries")).as(transport).isEqualTo(SUBSCRIBERS * (long) EVENTS);
      JsonObject integrity = r.getJsonObject("integrity");
      assertThat(integrity.getLong("lost")).as(transport + " lost").isZero();
      assertThat(integrity.getLong("duplicated")).as(transport + " duplicated").isZero();
      assertThat(integrity.getLong("outOfOrder")).as(transport + " out of order").isZero();
      assertThat(integrity.getLong("errors")).as(transport + " errors").isZero();
      assertThat(r.getJsonObject("wire").getDouble("bytesDownPerEvent")).as(transport).isGreaterThan(64);
      assertThat(r.getJsonObject("gateway").getLong("cpuMs")).as(transport + " server CPU").isNotNull();
    }
  }

  static JsonObject runOf(JsonObject doc, String transport) {
    JsonArray runs = doc.getJsonArray("runs");
    for (int i = 0; i < runs.size(); i++) {
      if (runs.getJsonObject(i).getString("transport").equals(transport)) {
        return runs.getJsonObject(i);
      }
    }
    throw new AssertionError("no " + transport + " run");
  }
}
