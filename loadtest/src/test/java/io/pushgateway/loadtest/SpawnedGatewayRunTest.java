package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With no target the gateway runs as its own process, so its CPU and memory are read apart. */
@Timeout(60)
class SpawnedGatewayRunTest {

  @Test
  void measuresTheGatewayProcessApartFromTheLoadGenerator(@TempDir Path out) throws Exception {
    Scenario scenario = new Scenario(List.of(Transport.WS), 10, 10, 32, 2, 1, 1000, false, NetworkProfile.NONE,
      false, true);
    JsonObject doc = new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of("-Xmx256m"),
      List.of(), out, System.out), scenario, null).run();

    JsonObject run = doc.getJsonArray("runs").getJsonObject(0);
    assertThat(doc.getJsonObject("target").getString("kind")).isEqualTo("spawned");
    assertThat(run.getJsonObject("integrity").getLong("lost")).isZero();
    JsonObject gateway = run.getJsonObject("gateway");
    assertThat(gateway.getLong("cpuMs")).isNotNull();
    assertThat(gateway.getLong("jitCpuMs")).isBetween(0L, gateway.getLong("cpuMs"));
    assertThat(gateway.getDouble("cpuMsPer1000DeliveriesWithoutJit"))
      .isLessThanOrEqualTo(gateway.getDouble("cpuMsPer1000Deliveries"));
    assertThat(gateway.getLong("rssBytes")).isGreaterThan(10_000_000L);
    // the gateway's own count, read from its /metrics at the window's edges, matches the clients'
    assertThat(gateway.getJsonObject("counted").getLong("deliveries")).isCloseTo(run.getLong("deliveries"),
      within(10L));
    assertThat(Files.readString(out.resolve("gateway-1.log"))).isNotEmpty();
    // the table says whether the generator itself was the bottleneck
    assertThat(ConsoleTable.render(doc)).containsPattern("load gen CPU % of a core +[0-9.]+\\n")
      .containsPattern("publisher max lag ms +[0-9.]+\\n");
  }
}
