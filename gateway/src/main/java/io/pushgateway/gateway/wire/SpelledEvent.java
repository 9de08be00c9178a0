package io.pushgateway.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pushgateway.gateway.core.Event;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One {@link Spelling} of an event and every wire form of it, each built at most once, by the
 * first connection that needs it: every connection that spells the event the same way writes the
 * same bytes. A form nobody asks for (no SSE subscriber, no compression) is never built.
 *
 * <p>The raw-channel forms are Netty buffers in direct memory. Nothing outside gets them: a
 * connection writes a retained duplicate (each write needs its own reader index), released by
 * Netty once written. The public-API forms are Vert.x buffers and strings, which Vert.x copies or
 * slices per write itself.
 */
public final class SpelledEvent {

  private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  /**
   * The compact format's SSE fields go without the optional space after the colon (the SSE
   * parsing rules drop it when it is there), and a binary event is an event of its own type, so a
   * one-topic stream's bare data is never mistaken for one.
   */
  private static final byte[] COMPACT_SSE_DATA = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMPACT_SSE_BINARY = "event:binary\ndata:".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] COMPACT_SSE_PATCH = "event:patch\ndata:".getBytes(StandardCharsets.US_ASCII);

  private final Event event;
  /**
   * This spelling's JSON in UTF-8, kept (polls copy it into every answer): a compact array, or a
   * patched event; null for the full spelling, whose JSON the event keeps already.
   */
  private final byte[] ownJson;
  /** Whether it is one of the compact format's spellings (a binary event's keeps its full JSON). */
  private final boolean compact;
  /** Whether a bare spelling's data is a patch, an SSE event of its own type. */
  private final boolean barePatch;
  private volatile ByteBuf webSocketFrame;
  private volatile ByteBuf deflatedWebSocketFrame;
  private volatile ByteBuf sseBytes;
  private volatile String text;
  private volatile Buffer sseEvent;

  SpelledEvent(Event event, int spelling) {
    this(event, spelling, null);
  }

  /** {@code patch}: the merge patch a {@link Spelling#patched} spelling carries in place of the data. */
  SpelledEvent(Event event, int spelling, byte[] patch) {
    this.event = event;
    this.compact = Spelling.isCompact(spelling);
    this.barePatch = patch != null && Spelling.isBare(spelling);
    if (patch != null) {
      this.ownJson = patchedJson(event, spelling, patch);
    } else if (compact && event.contentType() == null) {
      this.ownJson = compactJson(event, spelling, bytes(event.dataJson()), Spelling.alias(spelling));
    } else {
      this.ownJson = null;
    }
  }

  /** The JSON, a copy to build a form from. */
  private byte[] json() {
    return ownJson != null ? ownJson : bytes(event.json());
  }

  /**
   * {@code id: …\n}: the event's own cursor entry (compact: {@code id.epoch}), the SSE id of a
   * subscriber of its one topic.
   */
  private byte[] idLine() {
    String line = compact ? "id:" + event.id() + "." + event.epoch() : "id: " + event.position().entry(event.topic());
    return (line + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** What comes before the JSON in an SSE event, after its id line. */
  private byte[] sseDataField() {
    return !compact ? SSE_DATA : event.contentType() != null ? COMPACT_SSE_BINARY
      : barePatch ? COMPACT_SSE_PATCH : COMPACT_SSE_DATA;
  }

  /**
   * {@code [head,value]}, {@code [head,value,id]} or {@code [head,value,id,ts]}, the head the
   * topic's alias (or its complement before a patch); or the value alone.
   */
  private static byte[] compactJson(Event event, int spelling, byte[] data, int head) {
    if (Spelling.isBare(spelling)) {
      return data;
    }
    String tail = (Spelling.withId(spelling) ? "," + event.id() : "")
      + (Spelling.withTs(spelling) ? "," + event.ts() : "") + "]";
    byte[] start = ("[" + head + ",").getBytes(StandardCharsets.US_ASCII);
    byte[] json = new byte[start.length + data.length + tail.length()];
    System.arraycopy(start, 0, json, 0, start.length);
    System.arraycopy(data, 0, json, start.length, data.length);
    tail.getBytes(0, tail.length(), json, start.length + data.length); // ASCII digits and brackets
    return json;
  }

  /** v1's object with {@code "patch"} in place of {@code "data"}, or the compact array with {@code ~alias}. */
  private static byte[] patchedJson(Event event, int spelling, byte[] patch) {
    if (Spelling.isCompact(spelling)) {
      return compactJson(event, spelling, patch, ~Spelling.alias(spelling));
    }
    // the topic needs no escaping (see Topics)
    byte[] head = ("{\"topic\":\"" + event.topic() + "\",\"id\":" + event.id() + ",\"ts\":" + event.ts()
      + ",\"patch\":").getBytes(StandardCharsets.UTF_8);
    byte[] json = Arrays.copyOf(head, head.length + patch.length + 1);
    System.arraycopy(patch, 0, json, head.length, patch.length);
    json[json.length - 1] = '}';
    return json;
  }

  // ---- raw-channel forms (Netty buffers)

  /** The event as one WebSocket text frame: a retained duplicate the caller writes or releases. */
  public ByteBuf retainedWebSocketFrame() {
    ByteBuf frame = webSocketFrame;
    if (frame == null) {
      synchronized (this) {
        if (webSocketFrame == null) {
          webSocketFrame = WebSocketFrames.text(json());
        }
        frame = webSocketFrame;
      }
    }
    return frame.retainedDuplicate();
  }

  /**
   * The same frame compressed for permessage-deflate, compressed at most once per event; a
   * retained duplicate, as {@link #retainedWebSocketFrame()}.
   */
  public ByteBuf retainedDeflatedWebSocketFrame() {
    ByteBuf frame = deflatedWebSocketFrame;
    if (frame == null) {
      synchronized (this) {
        if (deflatedWebSocketFrame == null) {
          deflatedWebSocketFrame = WebSocketFrames.deflatedText(json());
        }
        frame = deflatedWebSocketFrame;
      }
    }
    return frame.retainedDuplicate();
  }

  /** The payload length of the event's WebSocket frame: its JSON. */
  public int webSocketPayloadLength() {
    return jsonLength();
  }

  /**
   * The whole SSE event for a subscriber of this one topic, {@code id: <its cursor entry>\ndata:
   * <json>\n\n}, as the raw channel writes it (the body of a response delimited by the connection's
   * close, so no framing): a retained duplicate the caller writes or releases.
   */
  public ByteBuf retainedSseBytes() {
    return sseBytes().retainedDuplicate();
  }

  /** The length of the SSE event in {@link #retainedSseBytes()}. */
  public int sseEventLength() {
    return sseBytes().readableBytes();
  }

  /** The length of {@code data: <json>\n\n}, the SSE event without its {@code id:} line. */
  public int sseDataLength() {
    return sseDataField().length + jsonLength() + SSE_END.length;
  }

  /**
   * The SSE event with another {@code id:} line (a subscriber of several topics gets the cursor
   * over all of them): that line on the heap before a view of the shared {@code data:} bytes.
   */
  public ByteBuf sseBytes(byte[] idLine) {
    ByteBuf shared = sseBytes();
    int dataLength = sseDataLength();
    return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(idLine),
      shared.retainedSlice(shared.readableBytes() - dataLength, dataLength));
  }

  private ByteBuf sseBytes() {
    ByteBuf bytes = sseBytes;
    if (bytes == null) {
      synchronized (this) {
        if (sseBytes == null) {
          byte[] idLine = idLine();
          byte[] dataField = sseDataField();
          byte[] json = json();
          sseBytes = WebSocketFrames.directBuffer(idLine.length + dataField.length + json.length + SSE_END.length)
            .writeBytes(idLine).writeBytes(dataField).writeBytes(json).writeBytes(SSE_END);
        }
        bytes = sseBytes;
      }
    }
    return bytes;
  }

  // ---- public-API forms (Vert.x buffers and strings)

  /** The event's JSON as text, for a WebSocket text frame written through Vert.x. */
  public String text() {
    String t = text;
    if (t == null) {
      t = new String(json(), StandardCharsets.UTF_8);
      text = t; // the same text whoever builds it: a lost race costs a copy, never a difference
    }
    return t;
  }

  /**
   * The whole SSE event for a subscriber of this one topic, {@code id: …\ndata: <json>\n\n},
   * without chunk framing (Vert.x adds it); the same buffer for every write.
   */
  public Buffer sseEvent() {
    Buffer b = sseEvent;
    if (b == null) {
      b = sseEvent(idLine());
      sseEvent = b;
    }
    return b;
  }

  /** The SSE event with another {@code id:} line, as a one-off buffer. */
  public Buffer sseEvent(byte[] idLine) {
    Buffer b = Buffer.buffer(idLine.length + sseDataLength()).appendBytes(idLine).appendBytes(sseDataField());
    appendJson(b);
    return b.appendBytes(SSE_END);
  }

  /** Copies the event's JSON to the end of {@code into} (a poll's answer). */
  public void appendJson(Buffer into) {
    if (ownJson != null) {
      into.appendBytes(ownJson);
    } else {
      event.appendJson(into);
    }
  }

  public int jsonLength() {
    return ownJson != null ? ownJson.length : event.jsonLength();
  }

  /** A copy of what {@code view} holds. */
  static byte[] bytes(ByteBuffer view) {
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
