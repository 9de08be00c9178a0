package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 * <p>A binary message's fate depends on the publish op before it, so what was read before a
 * binary frame's header is passed on first, for the peer to read that op: within what the op
 * announced it is passed on; when its publish was refused it is skipped as it comes, unread (a
 * compressed one, whose bytes the inflater's context needs, is refused with 1013 instead). A
 * header is passed on only once it is judged: one split between reads waits here.
 */
final class FrameSizeGuard extends ChannelInboundHandlerAdapter {

  private static final int BINARY = 0x2;
  private static final int CONTINUATION = 0x0;
  private static final int CONTROL = 0x8;
  private static final int CLOSE = 0x8;
  private static final int RSV1 = 0x40;

  /** What becomes of a frame: passed on, skipped, or refused with a close code. */
  private enum Verdict {
    PASS, SKIP, TOO_BIG(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big"),
    RETRY_LATER(WebSocketCloseStatus.TRY_AGAIN_LATER, "the publish was refused: send it again later");

    final WebSocketCloseStatus close;
    final String reason;

    Verdict() {
      this(null, null);
    }

    Verdict(WebSocketCloseStatus close, String reason) {
      this.close = close;
      this.reason = reason;
    }
  }

  private final WebSocketPeer peer;
  /** The frame header being read, which may span reads: 2 to 14 bytes. */
  private final byte[] header = new byte[14];
  private int headerRead;
  private int headerLength;
  /** Payload bytes of the current frame still to come, and whether they are passed on or skipped. */
  private long payloadLeft;
  private boolean skipping;
  /** Whether a data message has begun and not ended, its payload bytes so far, and whether it is skipped. */
  private boolean inMessage;
  private long messageBytes;
  private long messageLimit;
  private boolean skippingMessage;
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
    int passedTo = start; // the bytes before it have been passed on, or skipped
    while (in.isReadable() && !refused) {
      if (payloadLeft > 0) {
        int from = in.readerIndex();
        stepOverPayload(in);
        if (skipping) {
          pass(ctx, in, passedTo, from);
          passedTo = in.readerIndex();
        }
        continue;
      }
      boolean startsHere = headerRead == 0;
      int headerStart = in.readerIndex();
      if (startsHere && (in.getByte(headerStart) & 0x0F) == BINARY) {
        pass(ctx, in, passedTo, headerStart); // the op that announces it reaches the peer first
        passedTo = headerStart;
      }
      if (!readHeader(in)) {
        pass(ctx, in, passedTo, headerStart); // the start of a header waits for the rest
        passedTo = in.readerIndex();
        break;
      }
      Verdict verdict = judge();
      if (verdict != Verdict.PASS) {
        pass(ctx, in, passedTo, headerStart);
        passedTo = in.readerIndex();
        skipping = true;
      } else if (!startsHere) {
        ctx.fireChannelRead(Unpooled.copiedBuffer(header, 0, headerLength)); // the header held from the last read
        passedTo = in.readerIndex();
        skipping = false;
      } else {
        skipping = false;
      }
      if (verdict.close != null) {
        refused = true; // after the frames before it were passed on: they are served
        peer.close(verdict.close.code(), verdict.reason);
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
        stepOverPayload(in);
      } else if (readHeader(in) && (header[0] & 0x0F) == CLOSE) {
        ctx.close(); // the closing handshake is complete
        return;
      }
    }
  }

  /** Steps over what this read holds of the current frame's payload: the decoder reads it, or no one. */
  private void stepOverPayload(ByteBuf in) {
    int n = (int) Math.min(payloadLeft, in.readableBytes());
    in.skipBytes(n);
    payloadLeft -= n;
  }

  /** Reads header bytes; true once the header is complete (then {@code payloadLeft} is its payload's length). */
  private boolean readHeader(ByteBuf in) {
    while (in.isReadable()) {
      header[headerRead++] = in.readByte();
      if (headerRead == 2) {
        headerLength = 2 + lengthBytes() + ((header[1] & 0x80) != 0 ? 4 : 0);
      }
      if (headerRead >= 2 && headerRead == headerLength) {
        int length7 = header[1] & 0x7F;
        payloadLeft = length7 < 126 ? length7 : 0;
        for (int i = 2; i < 2 + lengthBytes(); i++) {
          payloadLeft = payloadLeft << 8 | (header[i] & 0xFF);
        }
        headerRead = 0;
        return true;
      }
    }
    return false;
  }

  /** How many bytes after the first two give the payload's length. */
  private int lengthBytes() {
    int length7 = header[1] & 0x7F;
    return length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  }

  /** What becomes of the frame whose header was just read. */
  private Verdict judge() {
    int opcode = header[0] & 0x0F;
    boolean fin = (header[0] & 0x80) != 0;
    if ((opcode & CONTROL) != 0) {
      return Verdict.PASS; // at most 125 bytes: the decoder checks
    }
    if (opcode != CONTINUATION) {
      messageBytes = 0;
      messageLimit = onTheWire(peer.messageLimit(opcode == BINARY));
      skippingMessage = opcode == BINARY && peer.skipsNextBinary();
    } else if (!inMessage) {
      return Verdict.PASS; // a continuation of nothing: the decoder refuses it (1002)
    }
    inMessage = !fin;
    messageBytes += payloadLeft;
    if (payloadLeft < 0 || messageBytes > messageLimit) {
      return Verdict.TOO_BIG;
    }
    if (!skippingMessage) {
      return Verdict.PASS;
    }
    if (opcode != CONTINUATION && (header[0] & RSV1) != 0) {
      return Verdict.RETRY_LATER;
    }
    if (fin) {
      peer.binarySkipped();
    }
    return Verdict.SKIP;
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
