package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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

  public static PublishBatch parse(Object events, int maxEvents) {
    if (!(events instanceof JsonArray array)) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "events must be an array of {\"topic\",\"data\"}");
    }
    if (array.isEmpty() || array.size() > maxEvents) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "a batch holds 1 to " + maxEvents + " events, got " + array.size());
    }
    List<Item> items = new ArrayList<>(array.size());
    for (Object value : array) {
      if (!(value instanceof JsonObject event)) {
        throw new GatewayException(ErrorCode.INVALID_PARAMETER, "each event must be an object {\"topic\",\"data\"}");
      }
      String topic = event.getValue("topic") instanceof String s ? s : null;
      GatewayException problem = event.containsKey("data") ? null
        : new GatewayException(ErrorCode.INVALID_PARAMETER, "an event needs data");
      items.add(new Item(topic, problem == null ? Json.encode(event.getValue("data")) : null, problem));
    }
    return new PublishBatch(List.copyOf(items));
  }
}
