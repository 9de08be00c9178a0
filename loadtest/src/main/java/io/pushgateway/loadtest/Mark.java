package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.target.GatewayMetrics;
import io.pushgateway.loadtest.target.ProcessStats;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Every counter at one instant; a window's figures are the difference of two marks. */
record Mark(long nanos, Map<Transport, TrafficCounters.Snapshot> traffic, Map<Transport, long[]> polls,
            OptionalLong gatewayCpuMs, OptionalLong gatewayCompilerCpuMs, long selfCpuMs, OptionalLong machineCpuMs, Map<String, Double> gatewayMetrics) {

  static Mark take(Collection<TransportLoad> loads, OptionalLong gatewayPid, List<Endpoint> nodes) {
    Map<Transport, TrafficCounters.Snapshot> traffic = new LinkedHashMap<>();
    Map<Transport, long[]> polls = new LinkedHashMap<>();
    for (TransportLoad l : loads) {
      traffic.put(l.transport, l.traffic());
      polls.put(l.transport, l.stats.pollCounts());
    }
    OptionalLong gw = gatewayPid.isPresent() ? ProcessStats.treeCpuMillis(gatewayPid.getAsLong()) : OptionalLong.empty();
    OptionalLong jit = gatewayPid.isPresent() ? ProcessStats.compilerCpuMillis(gatewayPid.getAsLong()) : OptionalLong.empty();
    long now = System.nanoTime();
    long self = ProcessStats.selfCpuMillis();
    OptionalLong machine = ProcessStats.machineBusyMillis();
    // scraped last: an HTTP round trip must not stretch the window the other counters describe
    return new Mark(now, traffic, polls, gw, jit, self, machine, GatewayMetrics.scrape(nodes));
  }

  double secondsSince(Mark earlier) {
    return (nanos - earlier.nanos) / 1e9;
  }
}
