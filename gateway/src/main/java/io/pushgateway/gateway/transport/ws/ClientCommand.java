package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.transport.PublishBatch;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One client → server WebSocket frame, parsed strictly: {@code subscribe}, {@code unsubscribe},
 * {@code publish}, {@code presence}, {@code auth} or {@code ping}. Anything else is a {@link GatewayException} that carries the
 * frame's {@code ref} when it had a readable one, so the error frame can point at it.
 *
 * @param after    {@code subscribe}: the id after which to start, or null for "now"
 * @param dataJson {@code publish}: the data, re-encoded as compact JSON (no line breaks);
 *                 {@code auth}: the new token
 * @param presence {@code subscribe}: join the topic's presence and follow its changes
 * @param batch    {@code publish} with {@code "events":[…]} instead of a topic and data
 * @param binary   {@code publish} with {@code "contentType"} and {@code "bytes"} instead of data: the
 *                 announce of a binary message that follows
 */
record ClientCommand(Op op, String topic, Long after, String dataJson, String ref, boolean presence,
                     PublishBatch batch, BinaryAnnounce binary) {

  ClientCommand(Op op, String topic, Long after, String dataJson, String ref, boolean presence) {
    this(op, topic, after, dataJson, ref, presence, null, null);
  }

  /** A binary publish announced: the next message is {@code bytes} bytes of {@code contentType}. */
  record BinaryAnnounce(String contentType, int bytes) {
  }

  private static final String OPS = "subscribe, unsubscribe, publish, presence, auth or ping";

  enum Op { SUBSCRIBE, UNSUBSCRIBE, PUBLISH, PRESENCE, AUTH, PING }

  /** Thrown for a bad frame; {@code ref} is null when the frame had none. */
  static final class Invalid extends RuntimeException {
    final GatewayException error;
    final String ref;

    Invalid(GatewayException error, String ref) {
      super(error.getMessage(), null, false, false);
      this.error = error;
      this.ref = ref;
    }
  }

  static ClientCommand parse(String text) {
    return parse(text, DEFAULT_MAX_BATCH);
  }

  /** The most events a {@code publish} op may carry when none is configured (the fuzz tests). */
  static final int DEFAULT_MAX_BATCH = 1000;

  static ClientCommand parse(String text, int maxBatchEvents) {
    JsonObject frame;
    try {
      Object value = Json.decodeValue(text);
      if (!(value instanceof JsonObject object)) {
        throw invalid(ErrorCode.INVALID_JSON, "a frame must be a JSON object", null);
      }
      frame = object;
    } catch (DecodeException e) {
      throw invalid(ErrorCode.INVALID_JSON, "frame is not valid JSON", null);
    }
    String ref = frame.getValue("ref") instanceof String s ? s : null;
    if (frame.containsKey("ref") && ref == null) {
      throw invalid(ErrorCode.INVALID_PARAMETER, "ref must be a string", null);
    }
    if (!(frame.getValue("op") instanceof String opName)) {
      throw invalid(ErrorCode.INVALID_PARAMETER, "op is required: " + OPS, ref);
    }
    return switch (opName) {
      case "ping" -> new ClientCommand(Op.PING, null, null, null, ref, false);
      case "subscribe" -> new ClientCommand(Op.SUBSCRIBE, topic(frame, ref), after(frame, ref), null, ref,
        presence(frame, ref));
      case "unsubscribe" -> new ClientCommand(Op.UNSUBSCRIBE, topic(frame, ref), null, null, ref, false);
      case "presence" -> new ClientCommand(Op.PRESENCE, topic(frame, ref), null, null, ref, false);
      case "auth" -> {
        if (!(frame.getValue("token") instanceof String token) || token.isBlank()) {
          throw invalid(ErrorCode.INVALID_PARAMETER, "auth needs a token", ref);
        }
        yield new ClientCommand(Op.AUTH, null, null, token.trim(), ref, false);
      }
      case "publish" -> {
        if (frame.containsKey("events")) {
          try {
            yield new ClientCommand(Op.PUBLISH, null, null, null, ref, false,
              PublishBatch.parse(frame.getValue("events"), maxBatchEvents), null);
          } catch (GatewayException e) {
            throw new Invalid(e, ref);
          }
        }
        String topic = topic(frame, ref);
        if (frame.containsKey("contentType") && !frame.containsKey("data")) {
          if (!(frame.getValue("contentType") instanceof String contentType)
              || !(frame.getValue("bytes") instanceof Number bytes) || bytes.longValue() < 1
              || bytes.longValue() > Integer.MAX_VALUE || bytes.doubleValue() != bytes.longValue()) {
            throw invalid(ErrorCode.INVALID_PARAMETER,
              "a binary publish needs contentType (a string) and bytes (a positive integer)", ref);
          }
          yield new ClientCommand(Op.PUBLISH, topic, null, null, ref, false, null,
            new BinaryAnnounce(contentType, bytes.intValue()));
        }
        if (!frame.containsKey("data")) {
          throw invalid(ErrorCode.INVALID_PARAMETER, "publish needs data", ref);
        }
        yield new ClientCommand(Op.PUBLISH, topic, null, Json.encode(frame.getValue("data")), ref, false);
      }
      default -> throw invalid(ErrorCode.INVALID_PARAMETER,
        "unknown op '" + shorten(opName) + "': " + OPS, ref);
    };
  }

  private static String topic(JsonObject frame, String ref) {
    Object topic = frame.getValue("topic");
    try {
      return Topics.require(topic instanceof String s ? s : null);
    } catch (GatewayException e) {
      throw new Invalid(e, ref);
    }
  }

  private static boolean presence(JsonObject frame, String ref) {
    Object presence = frame.getValue("presence");
    if (presence == null || presence instanceof Boolean) {
      return Boolean.TRUE.equals(presence);
    }
    throw invalid(ErrorCode.INVALID_PARAMETER, "presence must be true or false", ref);
  }

  private static Long after(JsonObject frame, String ref) {
    Object after = frame.getValue("after");
    if (after == null) {
      return null;
    }
    if (after instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 0
      && !(n instanceof Double d && d > 9.0e15)) {
      return n.longValue();
    }
    throw invalid(ErrorCode.INVALID_CURSOR, "after must be a non-negative integer id", ref);
  }

  private static Invalid invalid(ErrorCode code, String message, String ref) {
    return new Invalid(new GatewayException(code, message), ref);
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
