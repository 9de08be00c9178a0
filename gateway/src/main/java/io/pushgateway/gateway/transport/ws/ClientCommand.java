package io.pushgateway.gateway.transport.ws;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.PublishKeys;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.transport.PublishBatch;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.wire.JsonText;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * One client → server WebSocket frame, parsed strictly: {@code subscribe}, {@code unsubscribe},
 * {@code publish}, {@code presence}, {@code auth} or {@code ping}. Anything else is a {@link GatewayException} that carries the
 * frame's {@code ref} when it had a readable one, so the error frame can point at it.
 *
 * @param after    {@code subscribe}: the id after which to start, a negative one for the newest
 *                 {@code -after} events (its {@code rewind}, a {@link Position#rewind}),
 *                 or null for "now"
 * @param dataJson {@code publish}: the data as sent, on one line ({@link JsonText#travelling});
 *                 {@code auth}: the new token
 * @param presence {@code subscribe}: join the topic's presence and follow its changes
 * @param batch    {@code publish} with {@code "events":[…]} instead of a topic and data
 * @param binary   {@code publish} with {@code "contentType"} and {@code "bytes"} instead of data: the
 *                 announce of a binary message that follows
 * @param key      {@code publish} of one event: its idempotency key ({@link PublishKeys}), or null
 * @param conflate {@code subscribe}: the topic's conflation window in milliseconds (0: every
 *                 event), or null for the connection's
 */
record ClientCommand(Op op, String topic, Long after, String dataJson, String ref, boolean presence,
                     PublishBatch batch, BinaryAnnounce binary, String key, Integer conflate) {

  ClientCommand(Op op, String topic, Long after, String dataJson, String ref, boolean presence) {
    this(op, topic, after, dataJson, ref, presence, null, null, null, null);
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
    Frame frame = Frame.read(text, maxBatchEvents);
    String ref = frame.ref instanceof String s ? s : null;
    if (frame.hasRef && ref == null) {
      throw invalid(ErrorCode.INVALID_PARAMETER, "ref must be a string", null);
    }
    if (!(frame.op instanceof String opName)) {
      throw invalid(ErrorCode.INVALID_PARAMETER, "op is required: " + OPS, ref);
    }
    return switch (opName) {
      case "ping" -> new ClientCommand(Op.PING, null, null, null, ref, false);
      case "subscribe" -> new ClientCommand(Op.SUBSCRIBE, topic(frame, ref), start(frame, ref), null, ref,
        presence(frame, ref), null, null, null, conflate(frame, ref));
      case "unsubscribe" -> new ClientCommand(Op.UNSUBSCRIBE, topic(frame, ref), null, null, ref, false);
      case "presence" -> new ClientCommand(Op.PRESENCE, topic(frame, ref), null, null, ref, false);
      case "auth" -> {
        if (!(frame.token instanceof String token) || token.isBlank()) {
          throw invalid(ErrorCode.INVALID_PARAMETER, "auth needs a token", ref);
        }
        yield new ClientCommand(Op.AUTH, null, null, token.trim(), ref, false);
      }
      case "publish" -> {
        if (frame.events != null) {
          try {
            yield new ClientCommand(Op.PUBLISH, null, null, null, ref, false,
              PublishBatch.Member.require(frame.events), null, null, null);
          } catch (GatewayException e) {
            throw new Invalid(e, ref);
          }
        }
        String topic = topic(frame, ref);
        String key = key(frame, ref);
        if (frame.hasContentType && frame.dataJson == null) {
          if (!(frame.contentType instanceof String contentType)
              || !(frame.bytes instanceof Number bytes) || bytes.longValue() < 1
              || bytes.longValue() > Integer.MAX_VALUE || bytes.doubleValue() != bytes.longValue()) {
            throw invalid(ErrorCode.INVALID_PARAMETER,
              "a binary publish needs contentType (a string) and bytes (a positive integer)", ref);
          }
          yield new ClientCommand(Op.PUBLISH, topic, null, null, ref, false, null,
            new BinaryAnnounce(contentType, bytes.intValue()), key, null);
        }
        if (frame.dataJson == null) {
          throw invalid(ErrorCode.INVALID_PARAMETER, "publish needs data", ref);
        }
        yield new ClientCommand(Op.PUBLISH, topic, null, frame.dataJson, ref, false, null, null, key, null);
      }
      default -> throw invalid(ErrorCode.INVALID_PARAMETER,
        "unknown op '" + shorten(opName) + "': " + OPS, ref);
    };
  }

  /**
   * The members of a frame that mean something, read in one pass over its tokens: scalars as
   * Vert.x would decode them ({@link #NOT_SCALAR} for an object or array), the data as the text it
   * was sent as, never decoded; any other member skipped. A repeated member: the last one counts.
   */
  private static final class Frame {
    /** What an object or array reads as where a scalar is expected: an instance of nothing asked for. */
    private static final Object NOT_SCALAR = new Object();

    Object op;
    Object ref;
    boolean hasRef;
    Object topic;
    Object after;
    Object rewind;
    Object presence;
    Object conflate;
    Object token;
    Object contentType;
    boolean hasContentType;
    Object bytes;
    Object key;
    /** {@code data} as it travels; null when the frame has none. */
    String dataJson;
    /** {@code events} as read; null when the frame has none. */
    PublishBatch.Member events;

    static Frame read(String text, int maxBatchEvents) {
      try (JsonParser parser = JacksonCodec.createParser(text)) {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
          if (first != null) {
            parser.skipChildren();
            if (parser.nextToken() == null) {
              throw invalid(ErrorCode.INVALID_JSON, "a frame must be a JSON object", null);
            }
          }
          throw notJson();
        }
        Frame frame = new Frame();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          frame.read(name, parser, text, maxBatchEvents);
        }
        if (parser.nextToken() != null) {
          throw notJson();
        }
        return frame;
      } catch (IOException | DecodeException e) {
        throw notJson();
      }
    }

    private void read(String name, JsonParser parser, String text, int maxBatchEvents) throws IOException {
      switch (name) {
        case "op" -> op = scalar(parser);
        case "ref" -> {
          ref = scalar(parser);
          hasRef = true;
        }
        case "topic" -> topic = scalar(parser);
        case "after" -> after = scalar(parser);
        case "rewind" -> rewind = scalar(parser);
        case "presence" -> presence = scalar(parser);
        case "conflate" -> conflate = scalar(parser);
        case "token" -> token = scalar(parser);
        case "contentType" -> {
          contentType = scalar(parser);
          hasContentType = true;
        }
        case "bytes" -> bytes = scalar(parser);
        case "key" -> key = scalar(parser);
        case "data" -> dataJson = JsonText.valueText(parser, text);
        case "events" -> events = PublishBatch.readMember(parser, text, maxBatchEvents);
        default -> parser.skipChildren();
      }
    }

    private static Object scalar(JsonParser parser) throws IOException {
      return switch (parser.currentToken()) {
        case VALUE_STRING -> parser.getText();
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        case VALUE_NULL -> null;
        default -> {
          parser.skipChildren();
          yield NOT_SCALAR;
        }
      };
    }

    private static Invalid notJson() {
      return invalid(ErrorCode.INVALID_JSON, "frame is not valid JSON", null);
    }
  }

  private static String topic(Frame frame, String ref) {
    Object topic = frame.topic;
    try {
      return Topics.require(topic instanceof String s ? s : null);
    } catch (GatewayException e) {
      throw new Invalid(e, ref);
    }
  }

  private static String key(Frame frame, String ref) {
    Object key = frame.key;
    if (key != null && !(key instanceof String)) {
      throw invalid(ErrorCode.INVALID_PARAMETER, "key must be a string", ref);
    }
    try {
      return PublishKeys.check((String) key);
    } catch (GatewayException e) {
      throw new Invalid(e, ref);
    }
  }

  private static boolean presence(Frame frame, String ref) {
    Object presence = frame.presence;
    if (presence == null || presence instanceof Boolean) {
      return Boolean.TRUE.equals(presence);
    }
    throw invalid(ErrorCode.INVALID_PARAMETER, "presence must be true or false", ref);
  }

  private static Integer conflate(Frame frame, String ref) {
    return frame.conflate == null ? null : count(frame.conflate, SubscriptionParams.MAX_CONFLATE_MILLIS,
      "conflate must be an integer from 0 to " + SubscriptionParams.MAX_CONFLATE_MILLIS + " (milliseconds)", ref);
  }

  /** Where a subscribe starts: {@code after} if given (a cursor entry wins), else its {@code rewind}, else now. */
  private static Long start(Frame frame, String ref) {
    Long after = after(frame, ref);
    if (frame.rewind == null) {
      return after;
    }
    int rewind = count(frame.rewind, SubscriptionParams.MAX_REWIND,
      "rewind must be an integer from 0 to " + SubscriptionParams.MAX_REWIND + " (events)", ref);
    return after != null || rewind == 0 ? after : Position.rewind(rewind).id();
  }

  /** A JSON number that is a whole number from 0 to {@code max}, else {@code invalid_parameter} with {@code message}. */
  private static int count(Object value, int max, String message, String ref) {
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 0
        && n.doubleValue() <= max) {
      return n.intValue();
    }
    throw invalid(ErrorCode.INVALID_PARAMETER, message, ref);
  }

  private static Long after(Frame frame, String ref) {
    Object after = frame.after;
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
