package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.pushgateway.gateway.metrics.WireMeters.WireMeter;
import io.pushgateway.gateway.wire.FramingRules;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the connection guard needs of a TCP connection, on either write path: its end, however it
 * comes, and its head, body and idle clocks ({@link ConnectionClock}). Both hang on the Netty
 * channel, because a raw-path WebSocket leaves Vert.x after its handshake and Vert.x's close
 * handler would never hear of its end; so this is the one place that reaches the channel under a
 * Vert.x connection, through Vert.x's implementation class.
 *
 * <p>Equal for the same channel, so it can key a map; it holds the channel only, never the Vert.x
 * connection, which a raw-path WebSocket leaves behind as garbage after its handshake.
 */
public final class RawConnection {

  private final Channel channel;

  private RawConnection(Channel channel) {
    this.channel = channel;
  }

  /** The TCP connection under a Vert.x HTTP connection. */
  public static RawConnection of(HttpConnection connection) {
    return new RawConnection(channelOf(connection));
  }

  /** The Netty channel under a Vert.x HTTP connection. */
  static Channel channelOf(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }

  /** Runs {@code action} on the connection's event loop once it is closed. */
  public void whenClosed(Runnable action) {
    channel.closeFuture().addListener(f -> action.run());
  }

  /** Closes the TCP connection, whoever serves it now. */
  public void close() {
    channel.close();
  }

  /** How long the rest of a refused request may take to arrive, and be dropped, before the connection closes. */
  static final long LINGER_MILLIS = 2_000;

  /**
   * Closes the TCP connection after an answer to a request it stopped reading (a head over the
   * limits or against the framing rules, a broken chunked body): closed with the rest of the
   * request unread, the kernel would reset it, and a client that gets the reset before it has
   * read the answer loses the answer. So the output is shut (the client reads the answer, then
   * the end), what the client still sends is read and dropped by the decoder, and the connection
   * closes when the client closes its side or after {@link #LINGER_MILLIS}, whichever comes first
   * (nginx's lingering close).
   */
  public void closeAfterAnswer() {
    closeAfterAnswer(channel);
  }

  static void closeAfterAnswer(Channel channel) {
    // called where the answer is written: its last bytes go out before this task runs
    channel.eventLoop().execute(() -> {
      if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
        channel.close();
        return;
      }
      channel.pipeline().firstContext().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(answered -> {
        duplex.shutdownOutput();
        channel.config().setAutoRead(true);
        // the timer goes with the connection when the client closes first: floods of such
        // requests hold no timers past their connections
        ScheduledFuture<?> linger =
          channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> linger.cancel(false));
      });
    });
  }

  /** Keeps {@code value} with this TCP connection, for as long as it is open. */
  public <T> void attach(Attachment<T> attachment, T value) {
    channel.attr(attachment.key).set(value);
  }

  /**
   * A kind of value kept with each connection, in its channel: found without a map lookup, and
   * gone with the channel. One instance per kind, for the life of the process.
   */
  public static final class Attachment<T> {
    private final AttributeKey<T> key;

    public Attachment(String name) {
      this.key = AttributeKey.newInstance(name);
    }

    /** The value kept with the TCP connection under {@code connection}, or null. */
    public T of(HttpConnection connection) {
      return channelOf(connection).attr(key).get();
    }
  }

  /** Holds the connection's requests to {@link FramingRules}; called before it reads its first request. */
  public void decodeStrictly(HttpServerOptions options) {
    FramingRules.install(channel, options);
  }

  /** Starts the head, body and idle clocks of a new connection, before it has read a request. */
  public void startClocks(long headMillis, long bodyMillis, long idleMillis) {
    ConnectionClock.start(channel, headMillis, bodyMillis, idleMillis);
  }

  /**
   * Charges the request being served, and its connection until the answer ends (a stream: until it
   * closes), to {@code meter}; nothing when no clocks run on the connection.
   */
  public void claimMeter(WireMeter meter) {
    ConnectionClock.claim(channel, meter);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RawConnection raw && raw.channel == channel;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(channel);
  }
}
