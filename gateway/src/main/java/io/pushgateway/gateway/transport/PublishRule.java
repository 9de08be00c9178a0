package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Access;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one rule every publish passes, whether it came as {@code POST /api/topics/{t}/events} or as
 * a WebSocket {@code publish} op: a valid topic name, the token's {@code topics.pub} and the
 * connection's and address's publish rates ({@link Access#checkPublish}), data of at most
 * {@code maxPayloadBytes} as compact UTF-8 JSON, then the log. The paths differ only in how the
 * data arrives (a body, a frame's field) and what they do on a refusal.
 */
public final class PublishRule {

  private static final System.Logger LOG = System.getLogger(PublishRule.class.getName());

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

  /**
   * Publishes every item of {@code batch} through the same rule, each topic's events one after
   * the other in the batch's order (different topics at once), and answers one result per item,
   * in order: {@code {"topic","id","ts"}} or {@code {"topic","error":{"code","message"}}}.
   */
  public Future<JsonArray> publish(Access access, PublishBatch batch) {
    Map<String, Future<Event>> lastOfTopic = new HashMap<>();
    List<Future<Event>> published = new ArrayList<>(batch.items().size());
    for (PublishBatch.Item item : batch.items()) {
      Future<Event> result;
      if (item.problem() != null) {
        result = Future.failedFuture(item.problem());
      } else {
        Future<Event> previous = lastOfTopic.getOrDefault(item.topic(), Future.succeededFuture());
        result = previous.transform(ignored -> publish(access, item.topic(), item.dataJson()));
        if (item.topic() != null) {
          lastOfTopic.put(item.topic(), result);
        }
      }
      published.add(result);
    }
    return Future.join(published).transform(ignored -> {
      JsonArray results = new JsonArray();
      for (int i = 0; i < published.size(); i++) {
        Future<Event> result = published.get(i);
        if (result.succeeded()) {
          Event event = result.result();
          results.add(new JsonObject().put("topic", event.topic()).put("id", event.id()).put("ts", event.ts()));
        } else {
          JsonObject failed = new JsonObject().put("topic", batch.items().get(i).topic());
          results.add(failed.put("error", refusal(result.cause()).toJson()));
        }
      }
      return Future.succeededFuture(results);
    });
  }

  /** A refusal keeps its code; anything else is a bug, logged once and answered internal_error. */
  public static GatewayException refusal(Throwable failure) {
    if (failure instanceof GatewayException known) {
      return known;
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected failure of a publish", failure);
    return new GatewayException(ErrorCode.INTERNAL_ERROR, "internal error");
  }
}
