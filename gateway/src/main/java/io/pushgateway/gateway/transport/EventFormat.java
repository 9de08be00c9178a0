package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.Spelling;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * How a subscriber asked for its events ({@code format=json}, the default, or {@code
 * format=compact}, and {@code ts=1} for timestamps in the compact one; {@code delta=merge} for
 * patches in place of data), read the same way by all four transports; see docs/PROTOCOL.md,
 * "Compact format" and "Deltas".
 */
public record EventFormat(boolean compact, boolean timestamps, boolean deltas) {

  public static final EventFormat FULL = new EventFormat(false, false, false);

  public static EventFormat of(HttpServerRequest request) {
    String delta = request.getParam("delta");
    if (delta != null && !delta.equals("merge")) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "delta must be merge (JSON Merge Patch)");
    }
    EventFormat format = ofFormat(request);
    return delta == null ? format : new EventFormat(format.compact, format.timestamps, true);
  }

  private static EventFormat ofFormat(HttpServerRequest request) {
    String format = request.getParam("format");
    boolean compact = "compact".equals(format);
    if (!compact && format != null && !format.equals("json")) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "format must be json or compact");
    }
    boolean timestamps = SubscriptionParams.flagParam(request, "ts");
    if (timestamps && !compact) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "ts=1 goes with format=compact: the json format always carries ts");
    }
    return compact ? new EventFormat(true, timestamps, false) : FULL;
  }

  /**
   * The spelling of {@code event}, of the topic the subscription calls {@code alias}, for a client
   * that stood at {@code before} in it (null: nowhere it was told of): the id is left out when it
   * is {@code before}'s + 1.
   */
  public int spelling(int alias, Position before, Event event) {
    return compact ? Spelling.compact(alias, before == null || before.id() + 1 != event.id(), timestamps)
      : Spelling.FULL;
  }

  /** As {@link #spelling(int, Position, Event)}, the alias being the topic's place in {@code topics}. */
  public int spelling(List<String> topics, Position before, Event event) {
    return compact ? spelling(topics.indexOf(event.topic()), before, event) : Spelling.FULL;
  }

  /**
   * The spelling on SSE, whose {@code id:} line carries every id: without one (but for the slot
   * before a timestamp, when they were asked for), and for a subscription to one topic the data
   * alone unless timestamps were asked for.
   */
  public int sseSpelling(List<String> topics, Event event) {
    if (!compact) {
      return Spelling.FULL;
    }
    return topics.size() == 1 && !timestamps ? Spelling.BARE
      : Spelling.compact(topics.indexOf(event.topic()), false, timestamps);
  }

  /** What a push subscriber in this format needs to be sent patches: null unless it asked for deltas. */
  public PatchBases patchBases() {
    return deltas ? new PatchBases(this) : null;
  }

  /**
   * {@code spelling}, patched if this format asks for deltas and the client holds the topic's
   * event at {@code held}, the one just before {@code event}.
   */
  public int patchedIf(int spelling, Position held, Event event) {
    return deltas && EncodedEvent.of(event).patchableFrom(held) ? Spelling.patched(spelling) : spelling;
  }

  /** What starts an SSE {@code id:} line: the compact format leaves out the optional space. */
  public String sseIdField() {
    return compact ? "id:" : "id: ";
  }
}
