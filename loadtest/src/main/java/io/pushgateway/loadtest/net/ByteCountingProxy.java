package io.pushgateway.loadtest.net;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A TCP proxy in front of one gateway address. It relays every accepted connection to the target,
 * counts payload bytes each way, the IP packets a phone's link would carry for them and HTTP
 * requests upstream ({@link TrafficCounters}), keeps the packet timelines of the first connections
 * (or the first upgraded ones) for the radio model, and can shape
 * each connection like a mobile link ({@link NetworkProfile}). One instance per event loop shares
 * the listening port, so the proxy is spread over the cores like the clients are.
 */
public final class ByteCountingProxy {
  private final Vertx vertx;
  private final int port;
  private final String deploymentId;
  private final TrafficCounters counters;

  private ByteCountingProxy(Vertx vertx, int port, String deploymentId, TrafficCounters counters) {
    this.vertx = vertx;
    this.port = port;
    this.deploymentId = deploymentId;
    this.counters = counters;
  }

  public static Future<ByteCountingProxy> start(Vertx vertx, String targetHost, int targetPort,
                                                NetworkProfile profile, int instances) {
    return start(vertx, targetHost, targetPort, profile, instances, 0, TrafficCounters.Sampling.OPENED);
  }

  /** @param sampledConnections connections whose packet timelines are kept ({@link TrafficCounters#timelines()}) */
  public static Future<ByteCountingProxy> start(Vertx vertx, String targetHost, int targetPort,
                                                NetworkProfile profile, int instances, int sampledConnections,
                                                TrafficCounters.Sampling sampling) {
    TrafficCounters counters = new TrafficCounters(sampledConnections, sampling);
    int port = freePort();
    return vertx
      .deployVerticle(() -> new ProxyVerticle(port, targetHost, targetPort, profile, counters),
        new DeploymentOptions().setInstances(instances))
      .map(id -> new ByteCountingProxy(vertx, port, id, counters));
  }

  public int port() {
    return port;
  }

  public TrafficCounters counters() {
    return counters;
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentId);
  }

  /** A port the kernel says is free now; the verticle instances then all bind it. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  private static final class ProxyVerticle extends VerticleBase {
    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final NetworkProfile profile;
    private final TrafficCounters counters;
    private NetClient upstreams;

    ProxyVerticle(int port, String targetHost, int targetPort, NetworkProfile profile, TrafficCounters counters) {
      this.port = port;
      this.targetHost = targetHost;
      this.targetPort = targetPort;
      this.profile = profile;
      this.counters = counters;
    }

    @Override
    public Future<?> start() {
      upstreams = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000));
      return vertx
        .createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
          .setAcceptBacklog(4096))
        .connectHandler(this::accept)
        .listen();
    }

    private void accept(NetSocket client) {
      TrafficCounters.Connection connection = counters.newConnection();
      TcpPackets packets = connection.packets;
      packets.opened(System.nanoTime());
      client.pause();
      Context ctx = vertx.getOrCreateContext();
      upstreams.connect(targetPort, targetHost)
        .compose(upstream -> handshakeDelay().map(upstream))
        .onSuccess(upstream -> relay(ctx, client, upstream, connection))
        .onFailure(err -> {
          packets.closed(System.nanoTime());
          client.close();
        });
    }

    /** A real connect costs one round trip before the client's first byte can leave. */
    private Future<Void> handshakeDelay() {
      if (profile.rttMs() <= 0) {
        return Future.succeededFuture();
      }
      return vertx.timer(profile.rttMs()).mapEmpty();
    }

    /** Up is counted as the phone sends, down as the emulated link delivers to the phone. */
    private void relay(Context ctx, NetSocket client, NetSocket upstream, TrafficCounters.Connection connection) {
      TcpPackets packets = connection.packets;
      HttpRequestCounter http = new HttpRequestCounter(counters, connection::upgraded);
      Consumer<Buffer> sent = data -> {
        counters.bytesUp.add(data.length());
        packets.data(System.nanoTime(), data.length(), true);
        http.feed(data);
      };
      IntConsumer received = length -> {
        counters.bytesDown.add(length);
        packets.data(System.nanoTime(), length, false);
      };
      new ShapedPipe(ctx, client, upstream, sent, length -> { }, () -> packets.closed(System.nanoTime()),
        profile.rttMs(), profile.upBitsPerS()).start();
      new ShapedPipe(ctx, upstream, client, data -> { }, received, () -> { }, profile.rttMs(), profile.downBitsPerS())
        .start();
      client.resume();
    }
  }
}
