package io.pushgateway.gateway.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.RecycledViews;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One accepted event. Immutable, and serialized once per wire format: every transport writes
 * these same bytes to every subscriber.
 *
 * <p>Nothing outside this class gets the shared buffers themselves: a connection writes a
 * retained duplicate (each write needs its own reader index), which Netty recycles once written,
 * so a delivery allocates nothing; anything else gets a copy.
 */
public final class Event {

  private static final byte[] SSE_DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private final String topic;
  private final long id;
  private final long ts;
  private final String epoch;
  private final ByteBuf webSocketFrame;
  private final ByteBuf sseChunk;
  /** Built by the first connection that wants it, on whichever event loop that is. */
  private volatile ByteBuf deflatedWebSocketFrame;
  /** The JSON inside the WebSocket frame; only ever copied out, see {@link #appendJson}. */
  private final Buffer json;
  private final int sseEventLength;
  /** Where {@code data: <json>\n\n} starts in the SSE chunk. */
  private final int sseDataOffset;
  private final Position position;

  private Event(String topic, long id, long ts, String epoch, byte[] json, ByteBuf sseChunk, int sseEventLength,
                int sseDataOffset, Position position) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.epoch = epoch;
    this.webSocketFrame = WebSocketFrames.text(json);
    // The JSON is the frame's payload: a view of it, not a third copy of the bytes.
    int header = webSocketFrame.readableBytes() - json.length;
    this.json = BufferInternal.buffer(webSocketFrame.slice(header, json.length));
    this.sseChunk = sseChunk;
    this.sseEventLength = sseEventLength;
    this.sseDataOffset = sseDataOffset;
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
    int sseDataOffset = HttpChunks.header(sseEventLength).length + idLine.length + 1;
    // interned: subscribers hold the same instance (see LiveStream.subscribe), so the fan-out's
    // topic lookups match by identity
    return new Event(topic.intern(), id, ts, epoch, bytes, sseChunk, sseEventLength, sseDataOffset, position);
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

  /** The length of {@code {"topic":…,"id":…,"ts":…,"data":…}} in UTF-8. */
  public int jsonLength() {
    return json.length();
  }

  /** Copies {@code {"topic":…,"id":…,"ts":…,"data":…}}, UTF-8, to the end of {@code into}. */
  public void appendJson(Buffer into) {
    into.appendBuffer(json);
  }

  /** The event as one WebSocket text frame: a retained duplicate the caller writes or releases. */
  public ByteBuf retainedWebSocketFrame() {
    return RecycledViews.retainedDuplicate(webSocketFrame);
  }

  /**
   * The same frame compressed for permessage-deflate, compressed at most once per event; a
   * retained duplicate, as {@link #retainedWebSocketFrame()}.
   */
  public ByteBuf retainedDeflatedWebSocketFrame() {
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
    return RecycledViews.retainedDuplicate(frame);
  }

  /**
   * The whole SSE event for a subscriber of this one topic, {@code id: topic:id:epoch\ndata:
   * <json>\n\n}, as one finished HTTP chunk (see {@link HttpChunks}): a retained duplicate the
   * caller writes or releases.
   */
  public ByteBuf retainedSseChunk() {
    return RecycledViews.retainedDuplicate(sseChunk);
  }

  /** The length of the SSE event in {@link #retainedSseChunk()}, without the chunk's framing. */
  public int sseEventLength() {
    return sseEventLength;
  }

  /** The length of {@code data: <json>\n\n}, the SSE event without its {@code id:} line. */
  public int sseDataLength() {
    return SSE_DATA.length - 1 + json.length() + SSE_END.length; // "data: " without SSE_DATA's leading line end
  }

  /**
   * The SSE event with another {@code id:} line (a subscriber of several topics gets the cursor
   * over all of them) as a one-off chunk on the heap.
   */
  public ByteBuf sseChunk(byte[] idLine) {
    return HttpChunks.chunk(idLine, sseChunk.slice(sseDataOffset, sseDataLength()));
  }

  /**
   * Direct memory for an event's bytes, so sockets write them without a copy: a JDK buffer, freed
   * by the garbage collector once the event is dropped. Not Netty's pool: a pooled buffer must be
   * released, and an event has no single owner (history, reads in flight and queued writes all
   * hold it). Released by a cleaner instead, pooled memory would wait for the collector with
   * nothing to call it: the JDK asks for a collection when its direct memory runs short, Netty's
   * pool fails. The views written to sockets are recycled all the same (see {@link RecycledViews}).
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
