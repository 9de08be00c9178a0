package io.pushgateway.gateway.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.stream.Collectors;

/**
 * The server's side of the opening handshake (RFC 6455 §4.2.2), after which the channel belongs to
 * a {@link WebSocketPeer} on Netty's frame codec instead of to Vert.x ({@link VertxHandover}).
 */
final class WebSocketUpgrade {

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /**
   * Events are compressed once each, never with a connection's context (see WebSocketFrames), so
   * a client that asks the server not to take over context is welcome; a client that offers not
   * to take over its own is taken up on it: no inflater kept between its messages.
   */
  private static final WebSocketServerExtensionHandshaker DEFLATE = new PerMessageDeflateServerExtensionHandshaker(
    6, false, 15, true, true);

  private static final String CLIENT_NO_CONTEXT = "client_no_context_takeover";

  private final int maxMessageBytes;
  /** What the codec reads of one message at most: an announced binary message may reach it. */
  private final int maxReadBytes;
  private final boolean compression;

  /**
   * {@code maxMessageBytes}: text and unannounced binary messages; {@code maxBinaryBytes}: an
   * announced binary publish; {@code compression}: whether permessage-deflate is accepted when a
   * client offers it.
   */
  WebSocketUpgrade(int maxMessageBytes, int maxBinaryBytes, boolean compression) {
    this.maxMessageBytes = maxMessageBytes;
    this.maxReadBytes = Math.max(maxMessageBytes, maxBinaryBytes);
    this.compression = compression;
  }

  /**
   * Switches protocols once Vert.x has seen the whole request (an upgrade request, see
   * {@link io.pushgateway.gateway.transport.WritePath#upgrade}), so it counts the request as ended.
   */
  Future<Upgraded> accept(HttpServerRequest request) {
    String key = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    WebSocketServerExtension deflate = compression ? negotiateDeflate(request) : null;
    return request.end().map(v -> switchProtocols(request, key, deflate));
  }

  private Upgraded switchProtocols(HttpServerRequest request, String key, WebSocketServerExtension deflate) {
    Channel channel = RawConnection.channelOf(request.connection());
    if (!channel.isActive()) {
      throw new IllegalStateException("the client left during the handshake");
    }
    request.response().setStatusCode(101).setStatusMessage("Switching Protocols")
      .putHeader(HttpHeaders.UPGRADE, "websocket")
      .putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
      .putHeader(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, acceptKey(key));
    if (deflate != null) {
      request.response().putHeader(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, headerValue(deflate.newReponseData()));
    }
    Runnable onDisconnect = VertxHandover.takeOver(request);
    WebSocketPeer peer = new WebSocketPeer(channel, onDisconnect, maxMessageBytes);
    // From here on the channel speaks frames. The guard takes the HTTP decoder's place, so the
    // bytes the client sent right behind its request (which that decoder hands on as it leaves)
    // are judged too.
    ChannelPipeline pipeline = channel.pipeline();
    String http = pipeline.context(HttpRequestDecoder.class).name();
    pipeline.addAfter(http, "wsdecoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
      .maxFramePayloadLength(maxReadBytes)
      .allowExtensions(deflate != null)
      .build()));
    pipeline.replace(http, "wsguard", new FrameSizeGuard(peer));
    // Before the decoder, so the close frame the decoder sends on a bad frame gets encoded too.
    pipeline.addBefore("wsdecoder", "wsencoder", new WebSocket13FrameEncoder(false));
    if (deflate != null) {
      // Only a decoder: events go out compressed already, so no deflater is kept per connection.
      // Not Netty's: it builds a whole inflated frame before its size can be judged.
      boolean noContext = deflate.newReponseData().parameters().containsKey(CLIENT_NO_CONTEXT);
      pipeline.addLast(new BoundedInflater(peer, noContext));
    }
    pipeline.addLast(new Utf8FrameValidator(), new WebSocketFrameAggregator(maxReadBytes), peer);
    return new Upgraded(peer, deflate != null);
  }

  /** The peer, and whether events go to it compressed. */
  record Upgraded(WebSocketPeer peer, boolean deflate) {
  }

  private static WebSocketServerExtension negotiateDeflate(HttpServerRequest request) {
    String offered = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    if (offered == null) {
      return null;
    }
    for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(offered)) {
      WebSocketServerExtension accepted = DEFLATE.handshakeExtension(offer);
      if (accepted != null) {
        return accepted;
      }
    }
    return null;
  }

  private static String headerValue(WebSocketExtensionData data) {
    return data.name() + data.parameters().entrySet().stream()
      .map(p -> "; " + p.getKey() + (p.getValue() == null ? "" : "=" + p.getValue()))
      .collect(Collectors.joining());
  }

  /** Sec-WebSocket-Accept: base64(SHA-1(key + GUID)). */
  static String acceptKey(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
