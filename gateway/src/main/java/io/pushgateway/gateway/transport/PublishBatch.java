package io.pushgateway.gateway.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.wire.JsonText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several events in one request or one WebSocket op: {@code "events":[{"topic":…,"data":…},…]},
 * each with an optional idempotency {@code "key"}.
 * The batch as a whole must be an array of at most {@code maxBatchEvents} objects; anything wrong
 * with one item (a bad topic, no data, a refused publish) is that item's own result, and the others
 * are published all the same.
 *
 * @param items in the order they came, which is the order each topic's events get their ids
 */
public record PublishBatch(List<Item> items) {

  private static final String NOT_A_BATCH = "events must be an array of {\"topic\",\"data\"}";

  /**
   * One event of a batch, with its idempotency key or null; {@code problem} says why it cannot be
   * published, or is null.
   */
  public record Item(String topic, String dataJson, String key, GatewayException problem) {
  }

  /**
   * The batch a larger document's {@code events} member holds, read in the document's one pass:
   * {@code parser} stands on the member's first token and is left on its last, whatever the result,
   * so the caller goes on to check the rest of the document. A batch of the wrong shape comes back
   * as its {@link Member#problem}, to be reported once the whole document is known to be JSON.
   * Each event's data is kept as written in {@code text} ({@link JsonText}).
   */
  public static Member readMember(JsonParser parser, String text, int maxEvents) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return Member.refused(ErrorCode.INVALID_PARAMETER, NOT_A_BATCH);
    }
    List<Item> items = new ArrayList<>();
    int count = 0;
    boolean allObjects = true;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      count++;
      if (parser.currentToken() != JsonToken.START_OBJECT || count > maxEvents) {
        // counted, not read: the batch is refused as a whole below
        allObjects &= parser.currentToken() == JsonToken.START_OBJECT;
        parser.skipChildren();
        continue;
      }
      items.add(item(parser, text));
    }
    if (count == 0 || count > maxEvents) {
      return Member.refused(ErrorCode.INVALID_PARAMETER, "a batch holds 1 to " + maxEvents + " events, got " + count);
    }
    if (!allObjects) {
      return Member.refused(ErrorCode.INVALID_PARAMETER, "each event must be an object {\"topic\",\"data\"}");
    }
    return new Member(new PublishBatch(List.copyOf(items)), null);
  }

  /** What a document's {@code events} member read as: a batch, or why it is refused. */
  public record Member(PublishBatch batch, GatewayException problem) {

    /** The batch {@code member} holds; refused when there was no member (null) or a bad one. */
    public static PublishBatch require(Member member) {
      if (member == null) {
        throw new GatewayException(ErrorCode.INVALID_PARAMETER, NOT_A_BATCH);
      }
      if (member.problem != null) {
        throw member.problem;
      }
      return member.batch;
    }

    private static Member refused(ErrorCode code, String message) {
      return new Member(null, new GatewayException(code, message));
    }
  }

  /** One event object, the parser on its first token; a repeated member: the last one counts. */
  private static Item item(JsonParser parser, String text) throws IOException {
    String topic = null;
    String dataJson = null;
    String key = null;
    boolean keyNotString = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "topic" -> {
          topic = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          parser.skipChildren();
        }
        case "data" -> dataJson = JsonText.valueText(parser, text);
        case "key" -> {
          keyNotString = value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL;
          key = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          parser.skipChildren();
        }
        default -> parser.skipChildren();
      }
    }
    GatewayException problem = dataJson == null ? new GatewayException(ErrorCode.INVALID_PARAMETER, "an event needs data")
      : keyNotString ? new GatewayException(ErrorCode.INVALID_PARAMETER, "an event's key must be a string")
      : null;
    return new Item(topic, dataJson, key, problem);
  }
}
