package io.pushgateway.gateway.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a gateway that misbehaves on request, as the networks of phones do:
 * {@link #cutAll} drops every connection at once (a link that goes away), and
 * {@link #refuseWebSockets} answers WebSocket upgrades {@code 403} (a proxy that blocks them),
 * {@link #loseNextAnswer} drops an answer the gateway sent and the connection it was on (a link
 * that went away after the request got through).
 */
public final class CuttingProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean refuseWebSockets = new AtomicBoolean();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  /** Upgrade requests held back while {@link #holdWebSockets} is on, sent on when it goes off. */
  private final List<Runnable> held = new CopyOnWriteArrayList<>();
  private volatile boolean holdWebSockets;
  /** What the next answer to lose contains, or null. */
  private final java.util.concurrent.atomic.AtomicReference<String> loseAnswerWith =
    new java.util.concurrent.atomic.AtomicReference<>();
  private final AtomicInteger lostAnswers = new AtomicInteger();

  private CuttingProxy(Vertx vertx, int targetPort) {
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  public static CuttingProxy start(Vertx vertx, int targetPort) {
    CuttingProxy proxy = new CuttingProxy(vertx, targetPort);
    proxy.server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Every open connection, both sides, closed now. */
  public void cutAll() {
    cuts.incrementAndGet();
    sockets.forEach(NetSocket::close);
  }

  public void refuseWebSockets(boolean refuse) {
    refuseWebSockets.set(refuse);
  }

  /**
   * While on, a WebSocket handshake waits in the proxy, as it can on a slow network; turned off,
   * the waiting ones go on.
   */
  public void holdWebSockets(boolean hold) {
    holdWebSockets = hold;
    if (!hold) {
      held.forEach(Runnable::run);
      held.clear();
    }
  }

  /**
   * The next data from the gateway that contains {@code marker} (as text: an HTTP answer's head, a
   * WebSocket text frame's JSON) never reaches the client, and its connection is cut.
   */
  public void loseNextAnswer(String marker) {
    loseAnswerWith.set(marker);
  }

  public int lostAnswers() {
    return lostAnswers.get();
  }

  public int heldWebSockets() {
    return held.size();
  }

  public int cuts() {
    return cuts.get();
  }

  public int refusedUpgrades() {
    return refused.get();
  }

  private void accept(NetSocket downstream) {
    sockets.add(downstream);
    downstream.pause();
    downstream.closeHandler(v -> sockets.remove(downstream));
    client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = connected.result();
      sockets.add(upstream);
      upstream.closeHandler(v -> {
        sockets.remove(upstream);
        downstream.close();
      });
      downstream.closeHandler(v -> {
        sockets.remove(downstream);
        upstream.close();
      });
      AtomicBoolean first = new AtomicBoolean(true);
      downstream.handler(data -> {
        // browsers send a request head in one packet: enough to tell an upgrade
        boolean firstHead = first.getAndSet(false);
        if (firstHead && refuseWebSockets.get() && isUpgrade(data)) {
          refused.incrementAndGet();
          downstream.write(Buffer.buffer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
            .onComplete(v -> downstream.close());
          return;
        }
        if (firstHead && holdWebSockets && isUpgrade(data)) {
          held.add(() -> upstream.write(data));
          return;
        }
        upstream.write(data);
      });
      upstream.handler(data -> {
        String marker = loseAnswerWith.get();
        if (marker != null && data.toString(StandardCharsets.ISO_8859_1).contains(marker)
          && loseAnswerWith.compareAndSet(marker, null)) {
          lostAnswers.incrementAndGet();
          downstream.close();
          upstream.close();
          return;
        }
        downstream.write(data);
      });
      downstream.resume();
    });
  }

  private static boolean isUpgrade(Buffer data) {
    String head = data.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    return head.startsWith("get ") && head.contains("upgrade: websocket");
  }

  @Override
  public void close() {
    sockets.forEach(NetSocket::close);
    Future.all(server.close(), client.close()).await();
  }
}
