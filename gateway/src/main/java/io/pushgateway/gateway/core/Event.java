package io.pushgateway.gateway.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One accepted event. Immutable, and serialized once per wire format: every transport writes
 * these same bytes to every subscriber.
 */
public final class Event {

  private static final byte[] SSE_DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private final String topic;
  private final long id;
  private final long ts;
  private final String epoch;
  private final Buffer json;
  private final ByteBuf webSocketFrame;
  private final ByteBuf sseChunk;
  private final int sseEventOffset;
  private final int sseDataOffset;
  private final int sseEventLength;
  private final Position position;
  /** Built by the first connection that wants it, on whichever event loop that is. */
  private volatile ByteBuf deflatedWebSocketFrame;

  private Event(String topic, long id, long ts, String epoch, byte[] json, ByteBuf sseChunk, int sseEventOffset,
                int sseDataOffset, int sseEventLength, Position position) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.epoch = epoch;
    this.webSocketFrame = WebSocketFrames.text(json);
    // The JSON is the frame's payload: a view of it, not a third copy of the bytes.
    int header = webSocketFrame.readableBytes() - json.length;
    this.json = BufferInternal.buffer(webSocketFrame.slice(header, json.length));
    this.sseChunk = sseChunk;
    this.sseEventOffset = sseEventOffset;
    this.sseDataOffset = sseDataOffset;
    this.sseEventLength = sseEventLength;
    this.position = position;
  }

  /** Encodes an event whose data is already valid JSON text without line breaks. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson) {
    // Topic names need no escaping (see Topics), so plain concatenation is valid JSON.
    String text = "{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + ts + ",\"data\":" + dataJson + "}";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Position position = new Position(id, epoch);
    byte[] idLine = ("id: " + position.entry(topic)).getBytes(StandardCharsets.US_ASCII);
    int sseEventLength = idLine.length + SSE_DATA.length + bytes.length + SSE_END.length;
    ByteBuf sseChunk = HttpChunks.write(directBuffer(HttpChunks.wireSize(sseEventLength)),
      idLine, SSE_DATA, bytes, SSE_END);
    int sseEventOffset = HttpChunks.header(sseEventLength).length;
    // interned: subscribers hold the same instance (see LiveStream.subscribe), so the fan-out's
    // topic lookups match by identity
    return new Event(topic.intern(), id, ts, epoch, bytes, sseChunk, sseEventOffset,
      sseEventOffset + idLine.length + 1, sseEventLength, position);
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /** When the log accepted it, epoch milliseconds. */
  public long ts() {
    return ts;
  }

  public String epoch() {
    return epoch;
  }

  /** {@code {"topic":…,"id":…,"ts":…,"data":…}} as UTF-8. */
  public Buffer json() {
    return json;
  }

  /** {@link #json()} as one WebSocket text frame; write a duplicate, never the buffer itself. */
  public ByteBuf webSocketFrame() {
    return webSocketFrame;
  }

  /** The same frame compressed for permessage-deflate, compressed at most once per event. */
  public ByteBuf deflatedWebSocketFrame() {
    ByteBuf frame = deflatedWebSocketFrame;
    if (frame == null) {
      synchronized (this) {
        frame = deflatedWebSocketFrame;
        if (frame == null) {
          frame = WebSocketFrames.deflatedText(json.getBytes());
          deflatedWebSocketFrame = frame;
        }
      }
    }
    return frame;
  }

  /**
   * The whole SSE event for a subscriber of this one topic, {@code id: topic:id:epoch\ndata:
   * <json>\n\n}, as one finished HTTP chunk (see {@link HttpChunks}); subscribers of several
   * topics get their own {@code id:} line (the cursor over all their topics) and
   * {@link #sseData()}. Write a duplicate, never the buffer itself.
   */
  public ByteBuf sseChunk() {
    return sseChunk;
  }

  /** The SSE event in {@link #sseChunk()}, without the chunk's framing. */
  public ByteBuf sseEvent() {
    return sseChunk.slice(sseEventOffset, sseEventLength);
  }

  /** {@code data: <json>\n\n}: the SSE event without its {@code id:} line. */
  public ByteBuf sseData() {
    return sseChunk.slice(sseDataOffset, sseEventOffset + sseEventLength - sseDataOffset);
  }

  /**
   * Bytes kept with an event, in direct memory so sockets write them without a copy; a JDK
   * buffer, freed by the garbage collector once the event is dropped.
   */
  static ByteBuf directBuffer(int capacity) {
    return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(capacity)).clear();
  }

  /**
   * Where a subscriber stands after receiving this event; built once here, so a live delivery
   * (which moves the subscriber's position) allocates nothing.
   */
  public Position position() {
    return position;
  }

  @Override
  public String toString() {
    return topic + ":" + id + ":" + epoch;
  }
}
