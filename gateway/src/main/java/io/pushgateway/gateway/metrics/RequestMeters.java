package io.pushgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MetricsNaming;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's per-request HTTP server meters ({@code vertx_http_server_requests_total},
 * {@code _active_requests}, {@code _response_time_seconds}, {@code _request_bytes},
 * {@code _response_bytes}, {@code _request_resets_total}), by method and code as Vert.x names
 * them, with each meter looked up once. Vert.x's Micrometer binding builds its tags and asks the
 * registry for the meters again on every request (four lookups and a gauge registration): a
 * tenth of the CPU a long poll costs, profiled. Connection-level meters (active connections,
 * bytes, errors, WebSockets) stay Vert.x's own: {@code delegate} serves them.
 *
 * <p>Shared by the event loops of one HTTP server, so the caches are concurrent. Methods are
 * bounded ({@link #MAX_METHODS}, then {@code other}), as every label must be.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class RequestMeters implements HttpServerMetrics<RequestMeters.Request, Object, Object> {

  /** Distinct method labels at most; a client can send any token as a method. */
  static final int MAX_METHODS = 16;
  private static final String OTHER = "other";

  private final HttpServerMetrics delegate;
  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();

  RequestMeters(HttpServerMetrics<?, ?, ?> delegate, MeterRegistry registry, MetricsNaming names) {
    this.delegate = delegate;
    this.registry = registry;
    this.names = names;
  }

  @Override
  public Request requestBegin(Object socketMetric, HttpRequest request) {
    MethodMeters meters = meters(request.method().name());
    meters.active.increment();
    return new Request(meters, Timer.start(registry));
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    request.meters.requestBytes.record(bytesRead);
    request.end(true, false);
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    CodeMeters meters = request.meters.code(response.statusCode());
    meters.requests.increment();
    request.sample.stop(meters.responseTime);
    meters.responseBytes.record(bytesWritten);
    request.end(false, true);
  }

  @Override
  public void requestReset(Request request) {
    request.meters.resets.increment();
    request.end(true, true);
  }

  private MethodMeters meters(String method) {
    MethodMeters meters = methods.get(method);
    if (meters != null) {
      return meters;
    }
    String label = methods.size() < MAX_METHODS ? method : OTHER;
    return methods.computeIfAbsent(label, MethodMeters::new);
  }

  // --- connections: Vert.x's own -------------------------------------------------------------

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return delegate.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    delegate.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    delegate.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  /** A WebSocket of Vert.x's own write path; Vert.x's meter reads only the connection's tags. */
  @Override
  public Object connected(Object socketMetric, Request request, ServerWebSocket webSocket) {
    return delegate.connected(socketMetric, null, webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    delegate.disconnected(webSocketMetric);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** One request on its way: its method's meters and its clock. */
  static final class Request {
    private final MethodMeters meters;
    private final Timer.Sample sample;
    private boolean requestEnded;
    private boolean responseEnded;

    private Request(MethodMeters meters, Timer.Sample sample) {
      this.meters = meters;
      this.sample = sample;
    }

    /** Its request, its answer or both ended (a reset ends both): active until both have. */
    private void end(boolean request, boolean response) {
      boolean wasActive = !(requestEnded && responseEnded);
      requestEnded |= request;
      responseEnded |= response;
      if (wasActive && requestEnded && responseEnded) {
        meters.active.decrement();
      }
    }
  }

  private final class MethodMeters {
    private final String method;
    private final LongAdder active = new LongAdder();
    private final DistributionSummary requestBytes;
    private final Counter resets;
    /** By status code, 100 to 599, made when first answered. */
    private final AtomicReferenceArray<CodeMeters> codes = new AtomicReferenceArray<>(500);

    MethodMeters(String method) {
      this.method = method;
      Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
        .description("Number of requests being processed").tag("method", method).register(registry);
      requestBytes = DistributionSummary.builder(names.getHttpRequestBytes())
        .description("Size of requests in bytes").tag("method", method).register(registry);
      resets = Counter.builder(names.getHttpRequestResetsCount())
        .description("Number of request resets").tag("method", method).register(registry);
    }

    CodeMeters code(int status) {
      int index = Math.min(Math.max(status, 100), 599) - 100;
      CodeMeters meters = codes.get(index);
      if (meters == null) {
        meters = new CodeMeters(method, String.valueOf(index + 100));
        codes.compareAndSet(index, null, meters);
        meters = codes.get(index);
      }
      return meters;
    }
  }

  private final class CodeMeters {
    private final Counter requests;
    private final Timer responseTime;
    private final DistributionSummary responseBytes;

    CodeMeters(String method, String code) {
      // registering twice (a race) returns the meter registered first
      requests = Counter.builder(names.getHttpRequestsCount())
        .description("Number of processed requests").tag("method", method).tag("code", code).register(registry);
      responseTime = Timer.builder(names.getHttpResponseTime())
        .description("Request processing time").tag("method", method).tag("code", code).register(registry);
      responseBytes = DistributionSummary.builder(names.getHttpResponseBytes())
        .description("Size of responses in bytes").tag("method", method).tag("code", code).register(registry);
    }
  }
}
