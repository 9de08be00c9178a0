package io.pushgateway.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.pushgateway.gateway.core.Event;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An event's wire forms, each built at most once per event on this node, by the first connection
 * that needs it, and kept in the event's write-once slot ({@link Event#wireForms()}): every
 * subscriber is then written the same bytes. A form nobody asks for (no SSE subscriber, no
 * compression) is never built.
 *
 * <p>The raw-channel forms are Netty buffers in direct memory. Nothing outside gets them: a
 * connection writes a retained duplicate (each write needs its own reader index), released by
 * Netty once written. The public-API forms are Vert.x buffers and strings, which Vert.x copies or
 * slices per write itself.
 */
public final class EncodedEvent {

  private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Event event;
  private volatile ByteBuf webSocketFrame;
  private volatile ByteBuf deflatedWebSocketFrame;
  private volatile ByteBuf envelopeFrame;
  private volatile ByteBuf binaryFrame;
  private volatile String envelopeText;
  private volatile Buffer binaryBuffer;
  private volatile SseChunk sseChunk;
  private volatile String text;
  private volatile Buffer sseEvent;

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

  // ---- raw-channel forms (Netty buffers)

  /** The event as one WebSocket text frame: a retained duplicate the caller writes or releases. */
  public ByteBuf retainedWebSocketFrame() {
    ByteBuf frame = webSocketFrame;
    if (frame == null) {
      synchronized (this) {
        if (webSocketFrame == null) {
          webSocketFrame = WebSocketFrames.text(jsonBytes());
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
          deflatedWebSocketFrame = WebSocketFrames.deflatedText(jsonBytes());
        }
        frame = deflatedWebSocketFrame;
      }
    }
    return frame.retainedDuplicate();
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

  /** The payload length of the event's WebSocket frame: its JSON. */
  public int webSocketPayloadLength() {
    return event.jsonLength();
  }

  /**
   * The whole SSE event for a subscriber of this one topic, {@code id: topic:id:epoch\ndata:
   * <json>\n\n}, as one finished HTTP chunk (see {@link HttpChunks}): a retained duplicate the
   * caller writes or releases.
   */
  public ByteBuf retainedSseChunk() {
    return sseChunk().bytes.retainedDuplicate();
  }

  /** The length of the SSE event in {@link #retainedSseChunk()}, without the chunk's framing. */
  public int sseEventLength() {
    return sseChunk().eventLength;
  }

  /** The length of {@code data: <json>\n\n}, the SSE event without its {@code id:} line. */
  public int sseDataLength() {
    return SSE_DATA.length + event.jsonLength() + SSE_END.length;
  }

  /**
   * The SSE event with another {@code id:} line (a subscriber of several topics gets the cursor
   * over all of them) as a one-off chunk on the heap.
   */
  public ByteBuf sseChunk(byte[] idLine) {
    SseChunk chunk = sseChunk();
    return HttpChunks.chunk(idLine, chunk.bytes.slice(chunk.dataOffset, sseDataLength()));
  }

  private SseChunk sseChunk() {
    SseChunk chunk = sseChunk;
    if (chunk == null) {
      synchronized (this) {
        if (sseChunk == null) {
          sseChunk = new SseChunk(idLine(), jsonBytes());
        }
        chunk = sseChunk;
      }
    }
    return chunk;
  }

  /** An SSE event as a finished chunk in direct memory, and where its {@code data:} line starts. */
  private static final class SseChunk {
    final ByteBuf bytes;
    final int eventLength;
    final int dataOffset;

    SseChunk(byte[] idLine, byte[] json) {
      eventLength = idLine.length + SSE_DATA.length + json.length + SSE_END.length;
      bytes = HttpChunks.write(WebSocketFrames.directBuffer(HttpChunks.wireSize(eventLength)),
        idLine, SSE_DATA, json, SSE_END);
      dataOffset = HttpChunks.header(eventLength).length + idLine.length;
    }
  }

  // ---- public-API forms (Vert.x buffers and strings)

  /** The event's JSON as text, for a WebSocket text frame written through Vert.x. */
  public String text() {
    String t = text;
    if (t == null) {
      t = new String(jsonBytes(), StandardCharsets.UTF_8);
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
      b = Buffer.buffer(idLine()).appendBytes(SSE_DATA);
      event.appendJson(b);
      b.appendBytes(SSE_END);
      sseEvent = b;
    }
    return b;
  }

  /** The SSE event with another {@code id:} line, as a one-off buffer. */
  public Buffer sseEvent(byte[] idLine) {
    Buffer b = Buffer.buffer(idLine.length + sseDataLength()).appendBytes(idLine).appendBytes(SSE_DATA);
    event.appendJson(b);
    return b.appendBytes(SSE_END);
  }

  /** {@code id: topic:id:epoch\n}: the event's own cursor entry. */
  private byte[] idLine() {
    return ("id: " + event.position().entry(event.topic()) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private byte[] jsonBytes() {
    ByteBuffer json = event.json();
    byte[] bytes = new byte[json.remaining()];
    json.get(bytes);
    return bytes;
  }
}
