package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The receiving half of permessage-deflate (RFC 7692), bounded while it inflates: a message's
 * inflated bytes are counted across its fragments, and the inflater never gets more room than
 * what is left of the message's limit ({@code maxFrameBytes}, or what a binary publish announced)
 * plus one byte. A message that inflates past it
 * is refused with 1009 at that byte, so a few KB on the wire never become megabytes in memory
 * (Netty's decoder builds the whole frame before anything can look at its size).
 *
 * <p>Only data frames pass through here; control frames are never compressed (RFC 7692 §6.1).
 */
final class BoundedInflater extends MessageToMessageDecoder<WebSocketFrame> {

  /** RFC 7692 §7.2.2: the receiver appends the tail the sender removed from each message. */
  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
  private static final byte[] NO_INPUT = new byte[0];
  /** The "Per-Message Compressed" bit: RSV1 of a message's first frame (RFC 7692 §6). */
  private static final int RSV1 = 0x4;
  private static final int MIN_CHUNK = 4096;

  /** Why a message was refused; the peer closes with {@link #code}. */
  static final class Refused extends DecoderException {
    final int code;

    Refused(WebSocketCloseStatus status, String message) {
      super(message, null);
      this.code = status.code();
    }
  }

  private final WebSocketPeer peer;
  /** Whether the client agreed not to keep its compression context between messages. */
  private final boolean noContext;
  private Inflater inflater;
  private boolean compressed;
  private long inflated;
  /** The limit of the message being inflated: text or binary, announced or not. */
  private int maxMessageBytes;
  private boolean refused;

  BoundedInflater(WebSocketPeer peer, boolean noContext) {
    super(WebSocketFrame.class);
    this.peer = peer;
    this.noContext = noContext;
  }

  @Override
  public boolean acceptInboundMessage(Object msg) {
    return msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame
      || msg instanceof ContinuationWebSocketFrame;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    if (refused) {
      return; // the connection is closing over an earlier message: no more inflating for it
    }
    if (!(frame instanceof ContinuationWebSocketFrame)) {
      compressed = (frame.rsv() & RSV1) != 0;
      inflated = 0;
      maxMessageBytes = peer.messageLimit(frame instanceof BinaryWebSocketFrame);
    }
    if (!compressed) {
      out.add(frame.retain());
      return;
    }
    ByteBuf payload = inflate(ctx, frame);
    int rsv = frame.rsv() & ~RSV1;
    if (frame instanceof TextWebSocketFrame) {
      out.add(new TextWebSocketFrame(frame.isFinalFragment(), rsv, payload));
    } else if (frame instanceof BinaryWebSocketFrame) {
      out.add(new BinaryWebSocketFrame(frame.isFinalFragment(), rsv, payload));
    } else {
      out.add(new ContinuationWebSocketFrame(frame.isFinalFragment(), rsv, payload));
    }
  }

  private ByteBuf inflate(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (inflater == null) {
      inflater = new Inflater(true); // raw DEFLATE, no zlib header (RFC 7692 §7.2.2)
    }
    // What this frame may still add to its message, and one byte more to see that it went past.
    int room = (int) Math.min(Integer.MAX_VALUE, maxMessageBytes - inflated + 1);
    ByteBuf out = ctx.alloc().heapBuffer(Math.min(room, MIN_CHUNK + 2 * frame.content().readableBytes()), room);
    try {
      feed(frame.content().nioBuffer(), out);
      if (frame.isFinalFragment()) {
        feed(ByteBuffer.wrap(TAIL), out);
        if (noContext || inflater.finished()) {
          inflater.reset();
        }
      }
      return out;
    } catch (DataFormatException e) {
      out.release();
      throw refuse(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "compressed data is corrupt"); // RFC 7692 §8
    } catch (Refused e) {
      out.release();
      throw e;
    }
  }

  private void feed(ByteBuffer input, ByteBuf out) throws DataFormatException {
    if (inflater.finished()) {
      return; // a final DEFLATE block ended the message's data: the rest is ignored (RFC 7692 §7.2.3.3)
    }
    inflater.setInput(input);
    while (true) {
      out.ensureWritable(1); // never past its capacity limit: the count below stops first
      int n = inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
      out.writerIndex(out.writerIndex() + n);
      inflated += n;
      if (inflated > maxMessageBytes) {
        throw refuse(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message inflates past " + maxMessageBytes + " bytes");
      }
      if (n == 0) {
        // With room to write, nothing more means the input is used up or the data has ended.
        if (inflater.needsDictionary()) {
          throw new DataFormatException("a preset dictionary is not part of permessage-deflate");
        }
        break;
      }
    }
    inflater.setInput(NO_INPUT); // let go of the frame's buffer, which is released after this
  }

  private Refused refuse(WebSocketCloseStatus status, String message) {
    refused = true;
    return new Refused(status, message);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    end();
    super.handlerRemoved(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    end();
    super.channelInactive(ctx);
  }

  /** The inflater holds native memory until ended. */
  private void end() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
