package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** History budgets count what big events really take of a G1 heap: whole regions. */
class HeapFootprintTest {
  static final long MIB = 1024 * 1024;

  @Test
  void smallArraysCountTheirLength() {
    assertThat(HeapFootprint.ofBytes(100, MIB)).isEqualTo(100);
    assertThat(HeapFootprint.ofBytes((int) (MIB / 2) - 17, MIB)).isEqualTo(MIB / 2 - 17);
  }

  @Test
  void halfARegionOrMoreTakesWholeRegions() {
    assertThat(HeapFootprint.ofBytes((int) (MIB / 2), MIB)).isEqualTo(MIB);
    // a 1,000,000-byte binary event is 1,333,336 characters of base64: two regions
    assertThat(HeapFootprint.ofBytes(1_333_400, MIB)).isEqualTo(2 * MIB);
    assertThat(HeapFootprint.ofBytes(10_000_000, 4 * MIB)).isEqualTo(12 * MIB);
  }

  @Test
  void withoutG1LengthsAreCounted() {
    assertThat(HeapFootprint.ofBytes(5_000_000, 0)).isEqualTo(5_000_000);
  }

  @Test
  void thisJvmsRegionIsRead() {
    // the tests run on G1, the JVM's default here
    assertThat(HeapFootprint.REGION).isPositive();
    assertThat(Long.bitCount(HeapFootprint.REGION)).isEqualTo(1);
  }
}
