package io.pushgateway.gateway.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/**
 * A raw WebSocket's output hears that its queue drained from the peer, the pipeline's last
 * handler, and adds no handler of its own to the connection.
 */
class ChannelOutputTest {

  @Test
  void aWebSocketsOutputIsToldOfTheDrainByItsPeer() {
    EmbeddedChannel channel = new EmbeddedChannel();
    WebSocketPeer peer = new WebSocketPeer(channel, () -> { }, 1024);
    channel.pipeline().addLast("peer", peer);
    ChannelOutput output = ChannelOutput.ofWebSocket(peer, 1024, new FlushQueue(() -> false));
    assertThat(channel.pipeline().names()).containsExactly("peer", "DefaultChannelPipeline$TailContext#0");

    // queued, not yet flushed: past the high-water mark of 1,024 bytes
    channel.write(Unpooled.wrappedBuffer(new byte[4096]));
    assertThat(channel.isWritable()).isFalse();
    Future<Void> drained = output.drained();
    assertThat(drained.isComplete()).isFalse();

    channel.flush();
    assertThat(drained.succeeded()).isTrue();
    channel.finishAndReleaseAll();
  }
}
