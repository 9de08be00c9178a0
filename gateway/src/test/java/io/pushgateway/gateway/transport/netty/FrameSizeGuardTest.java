package io.pushgateway.gateway.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The frame header check, fed the client's bytes cut at every position, as reads may cut them: the
 * frames it passes on reach the decoder whole and in order, a refused publish's binary message
 * never does, and a message announced past its limit is refused at its header with only the
 * frames before it passed on.
 */
class FrameSizeGuardTest {

  private static final int LIMIT = 4096;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CONTINUATION = 0x0;
  private static final int PING = 0x9;

  @Test
  void framesCutAnywhereArePassedOnWholeAndInOrder() {
    byte[] wire = concat(frame(TEXT, true, false, 5), frame(PING, true, false, 0), frame(TEXT, false, false, 200),
      frame(PING, true, false, 3), frame(CONTINUATION, true, false, 300), frame(BINARY, true, false, 500));
    for (int cut = 0; cut <= wire.length; cut++) {
      Guarded guarded = new Guarded(LIMIT);
      assertThat(guarded.feed(wire, cut)).as("cut at " + cut).isEqualTo(wire);
      assertThat(guarded.closeCode()).isNull();
    }
  }

  @Test
  void aFrameWithAnEightByteLengthIsReadWhereverItsHeaderIsCut() {
    byte[] big = frame(TEXT, true, false, 70_000);
    byte[] wire = concat(big, frame(TEXT, true, false, 5));
    for (int cut : new int[] {0, 1, 2, 5, 9, 10, 13, 14, 15, big.length - 1, big.length, big.length + 1, big.length + 3}) {
      Guarded guarded = new Guarded(100_000);
      assertThat(guarded.feed(wire, cut)).as("cut at " + cut).isEqualTo(wire);
      assertThat(guarded.closeCode()).isNull();
    }
  }

  @Test
  void aRefusedPublishsBinaryMessageIsSkippedWhereverItIsCut() {
    byte[] before = frame(TEXT, true, false, 10);
    byte[] after = frame(TEXT, true, false, 12);
    byte[] wire = concat(before, frame(BINARY, false, false, 3000), frame(PING, true, false, 2),
      frame(CONTINUATION, true, false, 5000), after);
    byte[] expected = concat(before, frame(PING, true, false, 2), after);
    for (int cut = 0; cut <= wire.length; cut++) {
      Guarded guarded = new Guarded(LIMIT);
      guarded.peer.skipBinary(8000);
      assertThat(guarded.feed(wire, cut)).as("cut at " + cut).isEqualTo(expected);
      assertThat(guarded.skipped.get()).as("cut at " + cut).isEqualTo(1);
      assertThat(guarded.peer.skipsNextBinary()).isFalse();
    }
  }

  @Test
  void aMessagePastItsLimitIsRefusedAtTheHeaderThatTakesItThere() {
    byte[] before = concat(frame(TEXT, true, false, 10), frame(TEXT, false, false, LIMIT - 100));
    byte[] wire = concat(before, frame(CONTINUATION, true, false, 1000), frame(TEXT, true, false, 10));
    for (int cut = 0; cut <= wire.length; cut++) {
      Guarded guarded = new Guarded(LIMIT);
      assertThat(guarded.feed(wire, cut)).as("cut at " + cut).isEqualTo(before);
      assertThat(guarded.closeCode()).as("cut at " + cut).isEqualTo(1009);
    }
  }

  @Test
  void aRefusedPublishSentCompressedClosesWith1013() {
    byte[] before = frame(TEXT, true, false, 10);
    byte[] wire = concat(before, frame(BINARY, true, true, 100));
    for (int cut = 0; cut <= wire.length; cut++) {
      Guarded guarded = new Guarded(LIMIT);
      guarded.peer.skipBinary(100);
      assertThat(guarded.feed(wire, cut)).as("cut at " + cut).isEqualTo(before);
      assertThat(guarded.closeCode()).as("cut at " + cut).isEqualTo(1013);
    }
  }

  /** A guard on an in-memory channel; what it passes on is collected, its peer's close is kept. */
  private static final class Guarded {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final WebSocketPeer peer;
    final AtomicInteger skipped = new AtomicInteger();

    /** {@code limit}: the size of a message nobody announced ({@code maxFrameBytes}). */
    Guarded(int limit) {
      peer = new WebSocketPeer(channel, () -> { }, limit);
      channel.pipeline().addLast(new FrameSizeGuard(peer));
      peer.listen(new PushWebSocket.Listener() {
        @Override
        public void onText(String text) {
        }

        @Override
        public void onBinary(Buffer bytes) {
        }

        @Override
        public void onBinarySkipped() {
          skipped.incrementAndGet();
        }

        @Override
        public void onPing(Buffer payload) {
        }

        @Override
        public void onPong() {
        }

        @Override
        public void onClosed() {
        }
      });
    }

    /** Feeds {@code wire} as two reads cut at {@code cut}; returns the bytes passed on. */
    byte[] feed(byte[] wire, int cut) {
      channel.writeInbound(Unpooled.copiedBuffer(wire, 0, cut));
      channel.writeInbound(Unpooled.copiedBuffer(wire, cut, wire.length - cut));
      ByteArrayOutputStream passed = new ByteArrayOutputStream();
      for (Object read = channel.readInbound(); read != null; read = channel.readInbound()) {
        ByteBuf bytes = (ByteBuf) read;
        passed.writeBytes(ByteBufUtil.getBytes(bytes));
        bytes.release();
      }
      return passed.toByteArray();
    }

    Integer closeCode() {
      Object written = channel.readOutbound();
      return written instanceof CloseWebSocketFrame close ? close.statusCode() : null;
    }
  }

  /** A masked frame of {@code length} payload bytes. */
  private static byte[] frame(int opcode, boolean fin, boolean compressed, int length) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | opcode);
    if (length < 126) {
      frame.write(0x80 | length);
    } else if (length < 65536) {
      frame.write(0x80 | 126);
      frame.write(length >>> 8);
      frame.write(length & 0xFF);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) length >>> shift) & 0xFF);
      }
    }
    frame.writeBytes(new byte[] {1, 2, 3, 4});
    frame.writeBytes("x".repeat(length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return frame.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
