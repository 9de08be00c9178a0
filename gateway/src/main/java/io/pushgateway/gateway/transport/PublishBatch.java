package io.pushgateway.gateway.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.wire.JsonText;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several events in one request or one WebSocket op: {@code "events":[{"topic":…,"data":…},…]}.
 * The batch as a whole must be an array of at most {@code maxBatchEvents} objects; anything wrong
 * with one item (a bad topic, no data, a refused publish) is that item's own result, and the others
 * are published all the same.
 *
 * @param items in the order they came, which is the order each topic's events get their ids
 */
public record PublishBatch(List<Item> items) {

  /** One event of a batch; {@code problem} says why it cannot be published, or is null. */
  public record Item(String topic, String dataJson, GatewayException problem) {
  }

  /**
   * {@code events}: the text of the batch's {@code events} value as sent (null when there was
   * none), already checked to be JSON. Each event's data is kept as sent ({@link JsonText}).
   */
  public static PublishBatch parse(String events, int maxEvents) {
    if (events == null || !events.startsWith("[")) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "events must be an array of {\"topic\",\"data\"}");
    }
    List<Item> items = new ArrayList<>();
    int count = 0;
    boolean allObjects = true;
    try (JsonParser parser = JacksonCodec.createParser(events)) {
      parser.nextToken();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        count++;
        if (parser.currentToken() != JsonToken.START_OBJECT || count > maxEvents) {
          // counted, not read: the batch is refused as a whole below
          allObjects &= parser.currentToken() == JsonToken.START_OBJECT;
          parser.skipChildren();
          continue;
        }
        items.add(item(parser, events));
      }
    } catch (IOException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "events are not valid JSON");
    }
    if (count == 0 || count > maxEvents) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "a batch holds 1 to " + maxEvents + " events, got " + count);
    }
    if (!allObjects) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "each event must be an object {\"topic\",\"data\"}");
    }
    return new PublishBatch(List.copyOf(items));
  }

  /** One event object, the parser on its first token; a repeated member: the last one counts. */
  private static Item item(JsonParser parser, String events) throws IOException {
    String topic = null;
    String dataJson = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "topic" -> {
          topic = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          parser.skipChildren();
        }
        case "data" -> dataJson = JsonText.valueText(parser, events);
        default -> parser.skipChildren();
      }
    }
    return new Item(topic, dataJson,
      dataJson == null ? new GatewayException(ErrorCode.INVALID_PARAMETER, "an event needs data") : null);
  }
}
