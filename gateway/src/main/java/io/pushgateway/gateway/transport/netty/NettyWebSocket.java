package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.SpelledEvent;
import io.pushgateway.gateway.wire.WebSocketFrames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@link PushWebSocket} on the raw channel: its {@link WebSocketPeer} (Netty's frame codec and
 * the closing handshake) and a {@link ChannelOutput}. An event is a view of the frame built once
 * for every connection, compressed beforehand if this client accepted permessage-deflate.
 */
final class NettyWebSocket implements PushWebSocket {

  private final WebSocketPeer peer;
  private final ChannelOutput output;
  /** Whether the client accepted permessage-deflate, so events go compressed. */
  private final boolean deflate;

  NettyWebSocket(WebSocketPeer peer, ChannelOutput output, boolean deflate) {
    this.peer = peer;
    this.output = output;
    this.deflate = deflate;
  }

  @Override
  public void listen(Listener listener) {
    peer.listen(listener);
  }

  @Override
  public long sendEvent(Event event, int spelling) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    ByteBuf frame = deflate ? spelled.retainedDeflatedWebSocketFrame() : spelled.retainedWebSocketFrame();
    long payloadLength = WebSocketFrames.payloadLength(frame);
    output.write(frame);
    return payloadLength;
  }

  @Override
  public long sendBinaryEvent(Event event) {
    long payloadLength = 0;
    for (ByteBuf frame : EncodedEvent.of(event).retainedBinaryFrames()) {
      payloadLength += WebSocketFrames.payloadLength(frame);
      output.write(frame);
    }
    return payloadLength;
  }

  @Override
  public void expectBinary(int bytes) {
    peer.expectBinary(bytes);
  }

  @Override
  public void skipBinary(int bytes) {
    peer.skipBinary(bytes);
  }

  @Override
  public void sendText(String text) {
    output.write(WebSocketFrames.control(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void ping() {
    output.write(new PingWebSocketFrame());
  }

  @Override
  public void pong(Buffer payload) {
    output.write(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload.getBytes())));
  }

  @Override
  public boolean writable() {
    return output.writable();
  }

  @Override
  public Future<Void> drained() {
    return output.drained();
  }

  @Override
  public void holdReading(int reason, boolean hold) {
    peer.holdReading(reason, hold);
  }

  @Override
  public void holdReadingUntil(int reason, Future<Void> done) {
    peer.holdReadingUntil(reason, done);
  }

  @Override
  public boolean isClosed() {
    return peer.isClosed();
  }

  @Override
  public void close(int code, String reason) {
    peer.close(code, reason);
  }

  @Override
  public Future<Void> closed() {
    Promise<Void> closed = Promise.promise();
    peer.channel().closeFuture().addListener(f -> closed.complete());
    return closed.future();
  }

  @Override
  public void release() {
    output.release();
  }
}
