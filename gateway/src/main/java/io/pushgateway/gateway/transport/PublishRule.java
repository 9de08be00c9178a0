package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.PublishKeys;
import io.pushgateway.gateway.core.Stored;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Access;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one rule every publish passes, whether it came as {@code POST /api/topics/{t}/events} or as
 * a WebSocket {@code publish} op: a valid topic name, the token's {@code topics.pub} and the
 * connection's and address's publish rates ({@link Access#checkPublish}), data of at most
 * {@code maxPayloadBytes} as compact UTF-8 JSON, then the log. The paths differ only in how the
 * data arrives (a body, a frame's field) and what they do on a refusal.
 */
public final class PublishRule {

  private static final System.Logger LOG = System.getLogger(PublishRule.class.getName());
  /**
   * A media type (RFC 9110 §8.3.1: type/subtype, optional parameters) in token characters only:
   * no quotes, backslashes or controls, so it goes into every JSON form as it is.
   */
  private static final Pattern MEDIA_TYPE = Pattern.compile(
    "[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}( ?; ?[A-Za-z0-9!#$&^_.+-]{1,64}=[A-Za-z0-9!#$&^_.+-]{1,64}){0,4}");

  private final EventLog log;
  private final int maxPayloadBytes;
  private final int maxBinaryBytes;
  private final GatewayMetrics metrics;

  public PublishRule(EventLog log, int maxPayloadBytes, int maxBinaryBytes, GatewayMetrics metrics) {
    this.log = log;
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxBinaryBytes = maxBinaryBytes;
    this.metrics = metrics;
  }

  /**
   * Appends {@code dataJson} (valid JSON text without line breaks) to {@code topic}, once per
   * idempotency {@code key} (null: none; see {@link PublishKeys}): the stored event, or a
   * {@link GatewayException} with the protocol's code; nothing is stored on a refusal.
   */
  public Future<Stored> publish(Access access, String topic, String dataJson, String key) {
    int size = dataJson.getBytes(StandardCharsets.UTF_8).length;
    try {
      Topics.require(topic);
      PublishKeys.check(key);
      access.checkPublish(topic);
      if (size > maxPayloadBytes) {
        throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
          "data is " + size + " bytes, the limit is " + maxPayloadBytes);
      }
    } catch (GatewayException refused) {
      return Future.failedFuture(refused);
    }
    return counted(log.appendOnce(topic, dataJson, null, key), false, size);
  }

  /**
   * Appends {@code bytes} of {@code contentType} to {@code topic} as a binary event (kept and
   * sent as base64 where a wire needs text, as raw bytes where it can carry them), under the same
   * rule as JSON data, with their own size limit, {@code maxBinaryBytes}.
   */
  public Future<Stored> publishBinary(Access access, String topic, byte[] bytes, String contentType, String key) {
    String mediaType;
    try {
      mediaType = admitBinary(access, topic, contentType, bytes.length, key);
    } catch (GatewayException refused) {
      return Future.failedFuture(refused);
    }
    return appendBinary(topic, bytes, mediaType, key);
  }

  /**
   * The rule's checks of a binary publish, made before its bytes arrive (a WebSocket announce):
   * topic, key, grant, publish rate, media type and size. Returns the media type to append with;
   * throws the refusal.
   */
  public String admitBinary(Access access, String topic, String contentType, long bytes, String key) {
    Topics.require(topic);
    PublishKeys.check(key);
    access.checkPublish(topic);
    String mediaType = mediaType(contentType);
    if (bytes > maxBinaryBytes) {
      throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
        "binary data is " + bytes + " bytes, the limit is " + maxBinaryBytes);
    }
    return mediaType;
  }

  /** Appends bytes that {@link #admitBinary} admitted, once they are all there. */
  public Future<Stored> appendBinary(String topic, byte[] bytes, String mediaType, String key) {
    String base64 = "\"" + Base64.getEncoder().encodeToString(bytes) + "\"";
    return counted(log.appendOnce(topic, base64, mediaType, key), true, bytes.length);
  }

  private Future<Stored> counted(Future<Stored> append, boolean binary, int bytes) {
    return append.onSuccess(stored -> {
      if (stored.duplicate()) {
        metrics.repeated();
      } else {
        metrics.published(binary, bytes);
      }
    });
  }

  /** {@code {"topic","id","ts"}}, and {@code "duplicate":true} for a publish whose key was stored before. */
  public static JsonObject answer(Stored stored) {
    Event event = stored.event();
    JsonObject answer = new JsonObject().put("topic", event.topic()).put("id", event.id()).put("ts", event.ts());
    return stored.duplicate() ? answer.put("duplicate", true) : answer;
  }

  /** The content type of binary data, checked (see {@link #MEDIA_TYPE}). */
  public static String mediaType(String contentType) {
    String trimmed = contentType == null ? "" : contentType.trim();
    if (!MEDIA_TYPE.matcher(trimmed).matches()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "the content type of binary data must be a media type such as image/png (token characters, at most 4 parameters)");
    }
    return trimmed;
  }

  /**
   * Publishes every item of {@code batch} through the same rule and answers one result per item,
   * in order: {@code {"topic","id","ts"}} ({@link #answer}) or {@code {"topic","error":{"code","message"}}}. The
   * appends are handed to the log at once, in the batch's order, as consecutive single publishes
   * are ({@link EventLog#append} keeps one thread's order), so each topic's events get their ids
   * in the batch's order, after those of the publishes sent before it on the same connection.
   */
  public Future<JsonArray> publish(Access access, PublishBatch batch) {
    List<Future<Stored>> published = new ArrayList<>(batch.items().size());
    for (PublishBatch.Item item : batch.items()) {
      published.add(item.problem() != null ? Future.failedFuture(item.problem())
        : publish(access, item.topic(), item.dataJson(), item.key()));
    }
    return Future.join(published).transform(ignored -> {
      JsonArray results = new JsonArray();
      for (int i = 0; i < published.size(); i++) {
        Future<Stored> result = published.get(i);
        if (result.succeeded()) {
          results.add(answer(result.result()));
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
