package io.pushgateway.gateway.transport.sse;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.LiveStream;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.PresenceChange;
import io.pushgateway.gateway.core.Reset;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.TokenWatch;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.Membership;
import io.pushgateway.gateway.transport.PatchBases;
import io.pushgateway.gateway.transport.PushPresence;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.TransportContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One Server-Sent Events subscriber. Each event is {@code id: <cursor>} then {@code data: <json>}
 * (no {@code event:} field, so {@code EventSource.onmessage} gets it); the id is the full cursor,
 * which the browser sends back as {@code Last-Event-ID} when it reconnects. Presence frames go as
 * {@code event: presence} without an id, so they reach neither {@code onmessage} nor the cursor.
 */
final class SseSession implements LiveStream.Sink {

  private static final Logger LOG = System.getLogger(SseSession.class.getName());
  private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PREAMBLE = ": open\nretry: 1000\n\n".getBytes(StandardCharsets.US_ASCII);

  private final SseOutput output;
  private final TransportContext context;
  private final SseTransport transport;
  private final LiveStream stream;
  /** Its places in presence; null unless it asked for presence. */
  private PushPresence presence;
  private boolean released;
  /** Ends the stream when its token expires or is revoked. */
  private TokenWatch tokenWatch = TokenWatch.NONE;
  private EventFormat format = EventFormat.FULL;
  /** With deltas, what each topic's next patch applies to; null without. */
  private PatchBases patchBases;
  /** The topics in the order of the URL's: in the compact format, their aliases and the id's entries. */
  private List<String> topicOrder;
  /** What it counts against its user's {@code maxConnectionsPerUser}. */
  private final Limits.UserStream held;

  SseSession(SseOutput output, TransportContext context, SseTransport transport, Limits.UserStream held) {
    this.held = held;
    this.output = output;
    this.context = context;
    this.transport = transport;
    this.stream = new LiveStream(context.log(), context.hub(), this, Transport.SSE);
  }

  /**
   * {@code access}: what the subscriber's token allows, whose expiry or revocation ends the stream;
   * {@code membership}: who it is in the presence of every topic, null when it did not ask;
   * {@code format}: how its events and ids are spelled; {@code conflation}: each topic's window.
   */
  void open(List<String> topics, Cursor cursor, Access access, Membership membership, EventFormat format,
            SubscriptionParams.PerTopic conflation) {
    this.format = format;
    this.patchBases = format.patchBases();
    stream.conflateByDefault(conflation.defaultValue());
    this.topicOrder = topics;
    // Headers go out at once, so the client's onopen fires before the first event.
    output.open(PREAMBLE, this::release);
    if (!output.isOpen()) {
      release(); // the client left before its stream began: nothing to subscribe for
      return;
    }
    if (membership != null) {
      presence = new PushPresence(context.presence(), membership, Transport.SSE, stream);
    }
    for (String topic : topics) {
      stream.subscribe(topic, cursor.get(topic), conflation.get(topic));
      if (presence != null) {
        try {
          presence.join(topic, this::presenceFrame);
        } catch (GatewayException full) {
          presenceFrame(full.toJson().put("op", "error").put("topic", topic).encode());
        }
      }
    }
    tokenWatch = TokenWatch.start(context.vertx(), context.revocations(), access, reason -> close());
  }

  @Override
  public void subscribed(TopicState state, long from) {
    // SSE has no control frames; the cursor in each id says it all.
  }

  @Override
  public void reset(Reset reset) {
    context.metrics().reset(Transport.SSE);
    if (patchBases != null) {
      patchBases.forget(reset.topic());
    }
    write((format.sseIdField() + cursorId() + "\nevent: reset\ndata: " + reset.toJson().encode() + "\n\n")
      .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void event(Event event, Position before) {
    if (!output.isOpen()) {
      return;
    }
    // The bound holds what still waits from earlier events: one event larger than it (an image)
    // is written whole, and only a client that has not read it by the next one is too slow.
    if (!stream.isCatchingUp() && !output.writable()) {
      context.metrics().slowConsumerClosed(Transport.SSE);
      close();
      return;
    }
    // One topic: the cursor is the event's own entry, so every subscriber gets the same bytes.
    // The id line carries every id, so a compact event never needs its own.
    int spelling = format.sseSpelling(topicOrder, event);
    if (patchBases != null) {
      spelling = patchBases.spelling(spelling, event);
    }
    int length = topicOrder.size() == 1 ? output.event(event, spelling)
      : output.event(event, spelling, (format.sseIdField() + cursorId() + "\n").getBytes(StandardCharsets.US_ASCII));
    context.metrics().delivered(Transport.SSE, 1, length);
  }

  /** The cursor after everything sent, in the spelling of the subscriber's format. */
  private String cursorId() {
    return format.compact() ? stream.cursor().toCompactString(topicOrder) : stream.cursor().toString();
  }

  @Override
  public void presence(PresenceChange change) {
    presenceFrame(change.frame());
  }

  private void presenceFrame(String json) {
    write(("event: presence\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean writable() {
    return !output.isOpen() || output.writable();
  }

  @Override
  public Vertx vertx() {
    return context.vertx();
  }

  @Override
  public Future<Void> drained() {
    return output.drained();
  }

  @Override
  public void failed(Throwable cause) {
    if (!(cause instanceof GatewayException)) {
      // A bug, not the log being unavailable; the stream has begun, so it can only end: said once here.
      LOG.log(Level.ERROR, "unexpected failure of an SSE stream of " + stream.topics(), cause);
    }
    close();
  }

  void keepAlive() {
    write(KEEP_ALIVE);
  }

  private void write(byte[] bytes) {
    if (output.isOpen()) {
      output.write(bytes);
    }
  }

  /** Ends the stream; the browser reconnects with its Last-Event-ID. */
  void close() {
    if (released) {
      return;
    }
    output.end();
    release();
  }

  private void release() {
    if (released) {
      return;
    }
    released = true;
    tokenWatch.cancel();
    stream.close();
    if (presence != null) {
      presence.leaveAll();
    }
    output.release();
    held.release();
    transport.forget(this);
  }
}
