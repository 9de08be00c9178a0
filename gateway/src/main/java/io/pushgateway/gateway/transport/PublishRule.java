package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Access;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;

/**
 * The one rule every publish passes, whether it came as {@code POST /api/topics/{t}/events} or as
 * a WebSocket {@code publish} op: a valid topic name, the token's {@code topics.pub} and the
 * connection's and address's publish rates ({@link Access#checkPublish}), data of at most
 * {@code maxPayloadBytes} as compact UTF-8 JSON, then the log. The paths differ only in how the
 * data arrives (a body, a frame's field) and what they do on a refusal.
 */
public final class PublishRule {

  private final EventLog log;
  private final int maxPayloadBytes;
  private final GatewayMetrics metrics;

  public PublishRule(EventLog log, int maxPayloadBytes, GatewayMetrics metrics) {
    this.log = log;
    this.maxPayloadBytes = maxPayloadBytes;
    this.metrics = metrics;
  }

  /**
   * Appends {@code dataJson} (valid JSON text without line breaks) to {@code topic}: the stored
   * event, or a {@link GatewayException} with the protocol's code; nothing is stored on a refusal.
   */
  public Future<Event> publish(Access access, String topic, String dataJson) {
    try {
      Topics.require(topic);
      access.checkPublish(topic);
      int size = dataJson.getBytes(StandardCharsets.UTF_8).length;
      if (size > maxPayloadBytes) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
          "data is " + size + " bytes, the limit is " + maxPayloadBytes);
      }
    } catch (GatewayException refused) {
      return Future.failedFuture(refused);
    }
    return log.append(topic, dataJson).onSuccess(event -> metrics.published());
  }
}
