package io.pushgateway.loadtest.target;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpawnedGatewayTest {

  /** As the README runs it: the serial collector, unless the user's options choose another (the JVM refuses two). */
  @Test
  void aStartedGatewayRunsTheSerialCollectorUnlessTheOptionsNameAnother() {
    assertThat(SpawnedGateway.jvmOptions(""))
      .containsExactly("-XX:+UseSerialGC", "-Xms16m", "-XX:SurvivorRatio=4", "-XX:-UsePerfData");
    assertThat(SpawnedGateway.jvmOptions(" -Xmx1g  -Dx=1 "))
      .containsExactly("-XX:+UseSerialGC", "-Xms16m", "-XX:SurvivorRatio=4", "-XX:-UsePerfData", "-Xmx1g", "-Dx=1");
    assertThat(SpawnedGateway.jvmOptions("-XX:+UseG1GC -Xmx1g"))
      .containsExactly("-Xms16m", "-XX:SurvivorRatio=4", "-XX:-UsePerfData", "-XX:+UseG1GC", "-Xmx1g");
  }
}
