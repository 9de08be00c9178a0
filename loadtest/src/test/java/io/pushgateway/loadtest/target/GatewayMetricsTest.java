package io.pushgateway.loadtest.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The window's figures read from two scrapes of a gateway's /metrics, in the JVM's own spelling. */
class GatewayMetricsTest {

  private static Map<String, Double> scrape(double minorPauses, double majorPauses, double allocated) {
    Map<String, Double> samples = new HashMap<>();
    GatewayMetrics.parse("""
      # HELP jvm_gc_memory_allocated_bytes_total Incremented for an increase in the size of the (young) heap
      # TYPE jvm_gc_memory_allocated_bytes_total counter
      jvm_gc_memory_allocated_bytes_total %s
      # TYPE jvm_gc_pause_seconds summary
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="Allocation Failure",gc="Copy"} %s
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 0.25
      jvm_gc_pause_seconds_count{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} %s
      jvm_gc_pause_seconds_count_other %s
      pushgateway_deliveries_total{transport="long"} 5.0
      """.formatted(allocated, minorPauses, majorPauses, 100 * minorPauses), samples);
    return samples;
  }

  @Test
  void sumsAMetricOverItsLabelSetsAndNoOtherMetric() {
    assertThat(GatewayMetrics.totalDelta(scrape(10, 1, 0), scrape(16, 2, 0), "jvm_gc_pause_seconds_count"))
      .isEqualTo(7.0);
    assertThat(GatewayMetrics.totalDelta(scrape(10, 1, 0), Map.of(), "jvm_gc_pause_seconds_count")).isNull();
  }

  @Test
  void dividesTheJvmsAllocationCountByTheDeliveries() {
    Double perDelivery = GatewayMetrics.allocatedPerDelivery(scrape(10, 0, 4.0e6), scrape(15, 0, 1.5e7), 10_000);
    assertThat(perDelivery).isEqualTo(1100.0);
  }

  @Test
  void givesNoFigureWhereTheCountIsTooCoarse() {
    // four collections: the count moves in steps of a young generation, too few steps to divide
    assertThat(GatewayMetrics.allocatedPerDelivery(scrape(10, 0, 4.0e6), scrape(13, 1, 1.5e7), 10_000)).isNull();
    assertThat(GatewayMetrics.allocatedPerDelivery(scrape(10, 0, 4.0e6), scrape(20, 0, 1.5e7), 0)).isNull();
    // a peer without /metrics
    assertThat(GatewayMetrics.allocatedPerDelivery(Map.of(), Map.of(), 10_000)).isNull();
  }
}
