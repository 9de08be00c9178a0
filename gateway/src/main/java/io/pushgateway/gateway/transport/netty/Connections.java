package io.pushgateway.gateway.transport.netty;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What the connection guard needs of a TCP connection, on either write path: its end, however it
 * comes, and its head and idle clocks ({@link ConnectionClock}). Both hang on the Netty channel,
 * because a raw-path WebSocket leaves Vert.x after its handshake and Vert.x's close handler would
 * never hear of its end; so this is the one place that reaches the channel under a Vert.x
 * connection, through Vert.x's implementation class.
 */
public final class Connections {

  private Connections() {
  }

  /** The Netty channel under a Vert.x HTTP connection. */
  static Channel channelOf(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }

  /** Runs {@code action} on the connection's event loop once its TCP connection is closed. */
  public static void whenClosed(HttpConnection connection, Runnable action) {
    channelOf(connection).closeFuture().addListener(f -> action.run());
  }

  /** Closes the TCP connection, whoever serves it now. */
  public static void close(HttpConnection connection) {
    channelOf(connection).close();
  }

  /** Starts the head, body and idle clocks of a new connection, before it has read a request. */
  public static void startClocks(HttpConnection connection, long headMillis, long bodyMillis, long idleMillis) {
    ConnectionClock.start(channelOf(connection), headMillis, bodyMillis, idleMillis);
  }
}
