package io.pushgateway.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Whole chunks of HTTP/1.1's chunked transfer coding (RFC 9112 §7.1): the size in hex, CRLF, the
 * bytes, CRLF. An SSE event written as one finished chunk is one buffer on the socket, where the
 * HTTP encoder would queue three (size line, bytes, CRLF) for every subscriber.
 */
public final class HttpChunks {

  private static final byte[] CRLF = {'\r', '\n'};

  private HttpChunks() {
  }

  /** The chunk's framing before {@code size} bytes of content. */
  static byte[] header(int size) {
    return (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes the content's framing and the content into {@code into}. */
  static ByteBuf write(ByteBuf into, byte[]... content) {
    int size = 0;
    for (byte[] part : content) {
      size += part.length;
    }
    into.writeBytes(header(size));
    for (byte[] part : content) {
      into.writeBytes(part);
    }
    return into.writeBytes(CRLF);
  }

  /** The bytes a chunk of {@code size} bytes of content takes on the wire. */
  static int wireSize(int size) {
    return header(size).length + size + CRLF.length;
  }

  /** A one-off chunk (a comment, a reset, an event with a per-subscriber id), on the heap. */
  public static ByteBuf chunk(byte[] first, ByteBuf rest) {
    int size = first.length + rest.readableBytes();
    return Unpooled.buffer(wireSize(size)).writeBytes(header(size)).writeBytes(first)
      .writeBytes(rest, rest.readerIndex(), rest.readableBytes()).writeBytes(CRLF);
  }

  /** A one-off chunk of these bytes, on the heap. */
  public static ByteBuf chunk(byte[] content) {
    return chunk(content, Unpooled.EMPTY_BUFFER);
  }
}
