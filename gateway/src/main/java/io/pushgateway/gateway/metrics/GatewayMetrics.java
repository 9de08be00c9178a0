package io.pushgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.transport.Transport;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only class that names meters. Every gateway meter starts with {@code pushgateway_}; the
 * routine label is {@code transport} (four values), so cardinality stays bounded: never a label
 * per topic or per client.
 */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry;
  private final Map<Transport, AtomicLong> connections = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> deliveries = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> bytesWritten = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> resets = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> slowConsumerCloses = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> pollsWithEvents = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> pollsEmpty = new EnumMap<>(Transport.class);
  private final Map<ErrorCode, Counter> rejected = new EnumMap<>(ErrorCode.class);
  private final Counter published;

  public GatewayMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (Transport t : Transport.values()) {
      String label = t.label();
      AtomicLong open = new AtomicLong();
      connections.put(t, open);
      Gauge.builder("pushgateway_connections", open, AtomicLong::get)
        .description("Open subscriber connections (waiting requests for long polling)")
        .tag("transport", label)
        .register(registry);
      deliveries.put(t, counter("pushgateway_deliveries", "Events written to subscribers", label));
      bytesWritten.put(t, Counter.builder("pushgateway_written_bytes")
        .description("Event bytes written to subscribers")
        .baseUnit("bytes")
        .tag("transport", label)
        .register(registry));
      resets.put(t, counter("pushgateway_resets", "Resets sent because a cursor could not be honoured", label));
      slowConsumerCloses.put(t, counter("pushgateway_slow_consumer_closes",
        "Connections closed because their write queue was full", label));
      if (t == Transport.LONG || t == Transport.SHORT) {
        pollsWithEvents.put(t, Counter.builder("pushgateway_polls")
          .description("Poll answers by result").tag("transport", label).tag("result", "events").register(registry));
        pollsEmpty.put(t, Counter.builder("pushgateway_polls")
          .description("Poll answers by result").tag("transport", label).tag("result", "empty").register(registry));
      }
    }
    for (ErrorCode code : ErrorCode.values()) {
      rejected.put(code, Counter.builder("pushgateway_rejected_requests")
        .description("Requests and frames refused, by error code")
        .tag("code", code.code())
        .register(registry));
    }
    published = Counter.builder("pushgateway_events_published")
      .description("Events accepted into history")
      .register(registry);
  }

  private Counter counter(String name, String description, String transport) {
    return Counter.builder(name).description(description).tag("transport", transport).register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public void connectionOpened(Transport transport) {
    connections.get(transport).incrementAndGet();
  }

  public void connectionClosed(Transport transport) {
    connections.get(transport).decrementAndGet();
  }

  public long connections(Transport transport) {
    return connections.get(transport).get();
  }

  public void delivered(Transport transport, int events, long bytes) {
    deliveries.get(transport).increment(events);
    bytesWritten.get(transport).increment(bytes);
  }

  public void published() {
    published.increment();
  }

  public void rejected(ErrorCode code) {
    rejected.get(code).increment();
  }

  public void reset(Transport transport) {
    resets.get(transport).increment();
  }

  public void slowConsumerClosed(Transport transport) {
    slowConsumerCloses.get(transport).increment();
  }

  public void polled(Transport transport, boolean empty) {
    (empty ? pollsEmpty : pollsWithEvents).get(transport).increment();
  }
}
