package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.target.ProcessStats;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/** Every counter at one instant; a window's figures are the difference of two marks. */
record Mark(long nanos, Map<Transport, TrafficCounters.Snapshot> traffic, Map<Transport, long[]> polls,
            OptionalLong gatewayCpuMs, long selfCpuMs, OptionalLong machineCpuMs) {

  static Mark take(Collection<TransportLoad> loads, OptionalLong gatewayPid) {
    Map<Transport, TrafficCounters.Snapshot> traffic = new LinkedHashMap<>();
    Map<Transport, long[]> polls = new LinkedHashMap<>();
    for (TransportLoad l : loads) {
      traffic.put(l.transport, l.traffic());
      polls.put(l.transport, l.stats.pollCounts());
    }
    OptionalLong gw = gatewayPid.isPresent() ? ProcessStats.cpuMillis(gatewayPid.getAsLong()) : OptionalLong.empty();
    return new Mark(System.nanoTime(), traffic, polls, gw, ProcessStats.selfCpuMillis(),
      ProcessStats.machineBusyMillis());
  }

  double secondsSince(Mark earlier) {
    return (nanos - earlier.nanos) / 1e9;
  }
}
