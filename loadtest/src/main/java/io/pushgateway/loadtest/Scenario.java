package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.PayloadKind;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One point of a load test: who subscribes how, what is published, through which network.
 * A sweep makes several of these from one, changing a single parameter.
 *
 * @param subscribers    subscribers per transport
 * @param rate           events per second from the publisher
 * @param payloadBytes   length of the payload string {@code p} in each event's data
 * @param durationS      measured seconds of publishing, after the warm-up
 * @param warmupS        seconds of publishing before the measurement, not counted
 * @param pollIntervalMs short-polling interval
 * @param concurrent     all transports at once on one topic, instead of one after another
 * @param browserHeaders send a browser's request headers on every HTTP request and handshake
 * @param proxied        subscribers connect through the byte-counting proxy (off: latency only)
 * @param payloadFill    what the payload string is made of: random (default) or a repeated pattern
 * @param payloadKind    JSON data (default) or bytes: binary events of {@code payloadBytes} bytes
 * @param publishBatch   events due together go in one {@code publish} op of up to this many (1: one each)
 */
public record Scenario(List<Transport> transports, int subscribers, double rate, int payloadBytes, double durationS,
                       double warmupS, long pollIntervalMs, boolean concurrent, NetworkProfile network,
                       boolean browserHeaders, boolean proxied, PayloadFill payloadFill, PayloadKind payloadKind,
                       int publishBatch) {

  /** One event per publish. */
  public Scenario(List<Transport> transports, int subscribers, double rate, int payloadBytes, double durationS,
                  double warmupS, long pollIntervalMs, boolean concurrent, NetworkProfile network,
                  boolean browserHeaders, boolean proxied, PayloadFill payloadFill, PayloadKind payloadKind) {
    this(transports, subscribers, rate, payloadBytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, payloadFill, payloadKind, 1);
  }

  /** With JSON data. */
  public Scenario(List<Transport> transports, int subscribers, double rate, int payloadBytes, double durationS,
                  double warmupS, long pollIntervalMs, boolean concurrent, NetworkProfile network,
                  boolean browserHeaders, boolean proxied, PayloadFill payloadFill) {
    this(transports, subscribers, rate, payloadBytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, payloadFill, PayloadKind.TEXT, 1);
  }

  /** With random payloads. */
  public Scenario(List<Transport> transports, int subscribers, double rate, int payloadBytes, double durationS,
                  double warmupS, long pollIntervalMs, boolean concurrent, NetworkProfile network,
                  boolean browserHeaders, boolean proxied) {
    this(transports, subscribers, rate, payloadBytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, PayloadFill.RANDOM);
  }

  public Scenario withSubscribers(int n) {
    return new Scenario(transports, n, rate, payloadBytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  public Scenario withPayload(int bytes) {
    return new Scenario(transports, subscribers, rate, bytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  public Scenario withRate(double eventsPerSecond) {
    return new Scenario(transports, subscribers, eventsPerSecond, payloadBytes, durationS, warmupS, pollIntervalMs,
      concurrent, network, browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  public Scenario withPollInterval(long ms) {
    return new Scenario(transports, subscribers, rate, payloadBytes, durationS, warmupS, ms, concurrent, network,
      browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  /** The same load for {@code seconds} measured after {@code warmupSeconds} unmeasured. */
  public Scenario withTiming(double seconds, double warmupSeconds) {
    return new Scenario(transports, subscribers, rate, payloadBytes, seconds, warmupSeconds, pollIntervalMs, concurrent,
      network, browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  public Scenario withTransports(List<Transport> list) {
    return new Scenario(list, subscribers, rate, payloadBytes, durationS, warmupS, pollIntervalMs, concurrent, network,
      browserHeaders, proxied, payloadFill, payloadKind, publishBatch);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("transports", new JsonArray(transports.stream().map(Transport::wireName).toList()))
      .put("subscribersPerTransport", subscribers)
      .put("ratePerSecond", rate)
      .put("payloadBytes", payloadBytes)
      .put("payloadFill", payloadFill.wireName())
      .put("payloadKind", payloadKind.wireName())
      .put("publishBatch", publishBatch)
      .put("durationSeconds", durationS)
      .put("warmupSeconds", warmupS)
      .put("pollIntervalMs", pollIntervalMs)
      .put("mode", concurrent ? "concurrent" : "sequential")
      .put("headers", browserHeaders ? "browser" : "minimal")
      .put("proxy", proxied ? "count" : "none")
      .put("network", new JsonObject()
        .put("name", network.name())
        .put("rttMs", network.rttMs())
        .put("downBitsPerSecond", network.downBitsPerS())
        .put("upBitsPerSecond", network.upBitsPerS()));
  }
}
