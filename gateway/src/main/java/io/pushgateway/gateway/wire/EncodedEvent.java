package io.pushgateway.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.charset.StandardCharsets;

/**
 * An event's wire forms, each built at most once per event on this node, by the first connection
 * that needs it, and kept in the event's write-once slot ({@link Event#wireForms()}): every
 * subscriber is then written the same bytes. They are kept per {@link Spelling} (see {@link
 * SpelledEvent}), and for a binary event's raw frames.
 */
public final class EncodedEvent {

  private final Event event;
  private volatile SpelledEvent full;
  /** The compact spelling of most compact connections: the first topic, the id implied. */
  private volatile SpelledEvent compact;
  /** Every other compact spelling, made on first use. */
  private volatile Map<Integer, SpelledEvent> otherCompact;
  /** The merge patch from the topic's previous event's data: null until asked, {@link #NO_PATCH} if none. */
  private volatile byte[] patch;
  private volatile ByteBuf envelopeFrame;
  private volatile ByteBuf binaryFrame;
  private volatile String envelopeText;
  private volatile Buffer binaryBuffer;

  private static final byte[] NO_PATCH = new byte[0];

  private EncodedEvent(Event event) {
    this.event = event;
  }

  /** The forms of {@code event}, shared by every caller on every thread. */
  public static EncodedEvent of(Event event) {
    Object forms = event.wireForms();
    if (forms instanceof EncodedEvent encoded) {
      return encoded;
    }
    return (EncodedEvent) event.wireFormsIfAbsent(new EncodedEvent(event));
  }

  /** The event in v1's full spelling. */
  public SpelledEvent full() {
    SpelledEvent f = full;
    if (f == null) {
      synchronized (this) {
        if (full == null) {
          full = new SpelledEvent(event, Spelling.FULL);
        }
        f = full;
      }
    }
    return f;
  }

  /**
   * Whether a subscriber of deltas that holds the topic's event at {@code before} can be sent this
   * event as a patch ({@link Spelling#patched}): {@code before} must be the event just before it,
   * whose data the log told it of ({@link Event#follows}), and a patch must exist and be shorter
   * than the data. The patch is worked out once per event: the event before it is the same one for
   * everybody.
   */
  public boolean patchableFrom(Position before) {
    if (before == null || before.id() + 1 != event.id() || !event.epoch().equals(before.epoch())
        || event.contentType() != null) {
      return false;
    }
    byte[] p = patch;
    if (p == null) {
      ByteBuffer previous = event.previousDataJson();
      if (previous == null) {
        return false; // the log did not say
      }
      p = MergePatch.between(SpelledEvent.bytes(previous), SpelledEvent.bytes(event.dataJson()));
      p = p == null ? NO_PATCH : p;
      patch = p; // the same patch whoever works it out: a lost race costs the work, never a difference
    }
    return p != NO_PATCH;
  }

  /** The event spelled as {@code spelling} says; a patched one after {@link #patchableFrom} said yes. */
  public SpelledEvent spelled(int spelling) {
    if (spelling == Spelling.FULL) {
      return full();
    }
    if (spelling == 0) {
      SpelledEvent c = compact;
      if (c == null) {
        synchronized (this) {
          if (compact == null) {
            compact = new SpelledEvent(event, spelling);
          }
          c = compact;
        }
      }
      return c;
    }
    Map<Integer, SpelledEvent> others = otherCompact;
    if (others == null) {
      synchronized (this) {
        if (otherCompact == null) {
          otherCompact = new ConcurrentHashMap<>(4);
        }
        others = otherCompact;
      }
    }
    return others.computeIfAbsent(spelling, s -> new SpelledEvent(event, s, Spelling.isPatch(s) ? patch() : null));
  }

  private byte[] patch() {
    byte[] p = patch;
    if (p == null || p == NO_PATCH) {
      throw new IllegalStateException("no patch to the data of " + event);
    }
    return p;
  }

  /**
   * A binary event for a WebSocket client that takes binary frames: its envelope, {@code
   * {"topic":…,"id":…,"ts":…,"contentType":…,"bytes":N}}, as a text frame, and then the N raw
   * bytes as one binary frame. Both built once per event; retained duplicates the caller writes
   * or releases, envelope first.
   */
  public ByteBuf[] retainedBinaryFrames() {
    if (binaryFrame == null) {
      synchronized (this) {
        if (binaryFrame == null) {
          envelopeFrame = WebSocketFrames.text(envelope().getBytes(StandardCharsets.UTF_8));
          // decoded here, once: the frame is all the raw path keeps of the bytes
          binaryFrame = WebSocketFrames.binary(event.binaryData());
        }
      }
    }
    return new ByteBuf[] {envelopeFrame.retainedDuplicate(), binaryFrame.retainedDuplicate()};
  }

  /** A binary event's raw bytes as a Vert.x buffer, the same for every write. */
  public Buffer binaryBuffer() {
    Buffer b = binaryBuffer;
    if (b == null) {
      b = Buffer.buffer(event.binaryData());
      binaryBuffer = b; // a lost race costs a decode, never a difference
    }
    return b;
  }

  /** The envelope of a binary event (see {@link #retainedBinaryFrames()}) as text. */
  public String envelope() {
    String e = envelopeText;
    if (e == null) {
      // the content type needs no escaping (see PublishRule), nor does the topic (see Topics)
      e = "{\"topic\":\"" + event.topic() + "\",\"id\":" + event.id() + ",\"ts\":" + event.ts()
        + ",\"contentType\":\"" + event.contentType() + "\",\"bytes\":" + event.binaryLength() + "}";
      envelopeText = e;
    }
    return e;
  }
}
