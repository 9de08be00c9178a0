package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Judges each WebSocket message by its frame headers (RFC 6455 §5.2), before Netty's decoder
 * holds any of its payload: a message whose frames announce more than its limit is refused with
 * 1009 at that header, and nothing more is passed on. The decoder gathers a whole frame, and the
 * aggregator a whole message, before either can be judged, and both must let an announced binary
 * publish reach {@code maxBinaryBytes}: without this, every connection could make the gateway hold
 * 10 MiB of a text message that would be refused at 128 KiB.
 *
 * <p>A binary message's limit depends on the publish op before it, so what was read before a
 * binary frame's header is passed on first, for the peer to read that op.
 */
final class FrameSizeGuard extends ChannelInboundHandlerAdapter {

  private static final int BINARY = 0x2;
  private static final int CONTINUATION = 0x0;
  private static final int CONTROL = 0x8;
  private static final int CLOSE = 0x8;

  private final WebSocketPeer peer;
  /** The frame header being read, which may span reads: 2 to 14 bytes. */
  private final byte[] header = new byte[14];
  private int headerRead;
  private int headerLength;
  /** Payload bytes of the current frame still to come. */
  private long payloadLeft;
  /** Whether a data message has begun and not ended, and its payload bytes so far. */
  private boolean inMessage;
  private long messageBytes;
  private long messageLimit;
  private boolean refused;

  FrameSizeGuard(WebSocketPeer peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int start = in.readerIndex();
    int passedTo = start; // the bytes before it have been passed on
    while (in.isReadable() && !refused) {
      if (payloadLeft > 0) {
        skipPayload(in);
        continue;
      }
      int headerStart = headerRead == 0 ? in.readerIndex() : start; // or it began in the last read
      if (headerRead == 0 && (in.getByte(headerStart) & 0x0F) == BINARY) {
        pass(ctx, in, passedTo, headerStart);
        passedTo = headerStart;
      }
      if (readHeader(in) && !admit()) {
        pass(ctx, in, passedTo, headerStart); // the frames before it are served
        refused = true;
        peer.close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
      }
    }
    if (refused) {
      awaitClose(ctx, in);
      in.release();
    } else if (passedTo == start) {
      ctx.fireChannelRead(in.readerIndex(start));
    } else {
      pass(ctx, in, passedTo, in.writerIndex());
      in.release();
    }
  }

  /** Once refused, nothing reaches the decoder: the frames are skipped until the client's close frame. */
  private void awaitClose(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable()) {
      if (payloadLeft > 0) {
        skipPayload(in);
      } else if (readHeader(in) && (header[0] & 0x0F) == CLOSE) {
        ctx.close(); // the closing handshake is complete
        return;
      }
    }
  }

  /** Steps over the current frame's payload, as far as this read has it: the decoder reads it, or no one. */
  private void skipPayload(ByteBuf in) {
    int n = (int) Math.min(payloadLeft, in.readableBytes());
    in.skipBytes(n);
    payloadLeft -= n;
  }

  /** Reads header bytes; true once the header is complete (then {@code payloadLeft} is its payload's length). */
  private boolean readHeader(ByteBuf in) {
    while (in.isReadable()) {
      header[headerRead++] = in.readByte();
      if (headerRead == 2) {
        int length7 = header[1] & 0x7F;
        headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
      }
      if (headerRead >= 2 && headerRead == headerLength) {
        int length7 = header[1] & 0x7F;
        payloadLeft = length7 < 126 ? length7 : 0;
        for (int i = 2; i < 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0); i++) {
          payloadLeft = payloadLeft << 8 | (header[i] & 0xFF);
        }
        headerRead = 0;
        return true;
      }
    }
    return false;
  }

  /** Whether the frame whose header was just read keeps its message within its limit. */
  private boolean admit() {
    int opcode = header[0] & 0x0F;
    boolean fin = (header[0] & 0x80) != 0;
    if ((opcode & CONTROL) != 0) {
      return true; // at most 125 bytes: the decoder checks
    }
    if (opcode != CONTINUATION) {
      messageBytes = 0;
      messageLimit = onTheWire(peer.messageLimit(opcode == BINARY));
    } else if (!inMessage) {
      return true; // a continuation of nothing: the decoder refuses it (1002)
    }
    inMessage = !fin;
    messageBytes += payloadLeft;
    return payloadLeft >= 0 && messageBytes <= messageLimit;
  }

  /** A compressed message may be slightly longer than it inflates to (DEFLATE's stored blocks). */
  private static long onTheWire(int limit) {
    return limit + limit / 1024L + 64;
  }

  private static void pass(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
    if (to > from) {
      ctx.fireChannelRead(in.retainedSlice(from, to - from));
    }
  }
}
