package io.pushgateway.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Whole server-to-client WebSocket text and binary frames (RFC 6455 §5.2: unmasked, FIN set), header and
 * payload in one buffer, so an event's frame is built once and every connection writes a view
 * of the same bytes.
 */
public final class WebSocketFrames {

  private static final int FIN_TEXT = 0x81;
  private static final int FIN_BINARY = 0x82;
  /** RSV1 marks a message compressed with permessage-deflate (RFC 7692 §6). */
  private static final int FIN_RSV1_TEXT = 0xC1;
  /** What every sync flush ends with; RFC 7692 §7.2.1 has the sender drop it. */
  private static final int DEFLATE_TAIL = 4;
  /** One deflater per thread, reset per message: no context is ever taken over. */
  private static final ThreadLocal<Deflater> DEFLATERS =
    ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));

  private WebSocketFrames() {
  }

  /** An event's frame, in direct memory: the socket writes it without a copy. */
  static ByteBuf text(byte[] payload) {
    return frame(FIN_TEXT, payload, payload.length, true);
  }

  /** A binary event's bytes as one binary frame, in direct memory, never compressed (RFC 7692 allows it per message). */
  static ByteBuf binary(byte[] payload) {
    return frame(FIN_BINARY, payload, payload.length, true);
  }

  /** A one-off control frame (ack, error…), on the heap. */
  public static ByteBuf control(byte[] payload) {
    return frame(FIN_TEXT, payload, payload.length, false);
  }

  /**
   * The payload compressed on its own, as permessage-deflate's receivers expect whatever context
   * they negotiated: an independent message is valid with or without context takeover, so one
   * compressed frame serves every connection that accepted the extension.
   */
  static ByteBuf deflatedText(byte[] payload) {
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    deflater.setInput(payload);
    byte[] out = new byte[payload.length / 2 + 64];
    int length = 0;
    while (true) {
      length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
      if (length < out.length) {
        break;
      }
      out = Arrays.copyOf(out, out.length * 2);
    }
    return frame(FIN_RSV1_TEXT, out, length - DEFLATE_TAIL, true);
  }

  /**
   * The close code (RFC 6455 §7.4.1) a frame decoder's failure calls for, such as 1009 for a frame
   * over the size limit, or -1 when {@code failure} is not a decoder's verdict on a frame.
   */
  public static int closeCode(Throwable failure) {
    return failure instanceof CorruptedWebSocketFrameException corrupted ? corrupted.closeStatus().code() : -1;
  }

  /** The payload length a frame's header states. */
  public static long payloadLength(ByteBuf frame) {
    int length = frame.getByte(frame.readerIndex() + 1) & 0x7F;
    return length < 126 ? length
      : length == 126 ? frame.getUnsignedShort(frame.readerIndex() + 2) : frame.getLong(frame.readerIndex() + 2);
  }

  private static ByteBuf frame(int first, byte[] payload, int length, boolean direct) {
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = direct ? directBuffer(header + length) : Unpooled.buffer(header + length);
    frame.writeByte(first);
    if (header == 2) {
      frame.writeByte(length);
    } else if (header == 4) {
      frame.writeByte(126).writeShort(length);
    } else {
      frame.writeByte(127).writeLong(length);
    }
    return frame.writeBytes(payload, 0, length);
  }

  /**
   * Direct memory for an event's bytes, so sockets write them without a copy: a JDK buffer, freed
   * by the garbage collector once the event is dropped. Not Netty's pool: a pooled buffer must be
   * released, and an event has no single owner (history, reads in flight and queued writes all
   * hold it). Released by a cleaner instead, pooled memory would wait for the collector with
   * nothing to call it: the JDK asks for a collection when its direct memory runs short, Netty's
   * pool fails.
   */
  static ByteBuf directBuffer(int capacity) {
    return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(capacity)).clear();
  }
}
