package io.pushgateway.loadtest;

import io.pushgateway.loadtest.client.ClientContext;
import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.LoadClient;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.ByteCountingProxy;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.net.PacketTimeline;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.stats.PublishSchedule;
import io.pushgateway.loadtest.stats.TransportStats;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The subscribers of one transport in one run, the proxies they connect through (one per gateway
 * node, so each transport's bytes are counted apart even when all run at once) and their stats.
 */
final class TransportLoad {
  /** Subscribers connecting at the same time; more would only fill the gateway's accept queue. */
  private static final int CONNECT_BATCH = 200;

  final Transport transport;
  final TransportStats stats;
  private final LoopPool loops;
  private final ClientContext ctx;
  private final List<ByteCountingProxy> proxies;
  private final List<Endpoint> endpoints;
  private final List<LoadClient> clients = new ArrayList<>();

  private TransportLoad(LoopPool loops, ClientContext ctx, Transport transport, TransportStats stats,
                        List<ByteCountingProxy> proxies, List<Endpoint> endpoints) {
    this.loops = loops;
    this.ctx = ctx;
    this.transport = transport;
    this.stats = stats;
    this.proxies = proxies;
    this.endpoints = endpoints;
  }

  static TransportLoad open(LoopPool loops, ClientContext ctx, Transport transport, List<Endpoint> nodes,
                            NetworkProfile network, PublishSchedule schedule, boolean proxied,
                            int sampledPhones) {
    Vertx vertx = ctx.vertx();
    TransportStats stats = new TransportStats(transport.wireName(), schedule);
    if (!proxied) {
      return new TransportLoad(loops, ctx, transport, stats, List.of(), nodes);
    }
    List<ByteCountingProxy> proxies = new ArrayList<>();
    List<Endpoint> endpoints = new ArrayList<>();
    for (Endpoint node : nodes) {
      // a WebSocket subscriber's phone is its socket, whatever its client polled on before
      TrafficCounters.Sampling phones = transport == Transport.WS ? TrafficCounters.Sampling.UPGRADED
        : TrafficCounters.Sampling.OPENED;
      ByteCountingProxy proxy = Await.result(ByteCountingProxy.start(vertx, node.host(), node.port(), network,
        loops.size(), sampledPhones, phones), Duration.ofSeconds(10), "starting the proxy for " + node);
      proxies.add(proxy);
      endpoints.add(new Endpoint("127.0.0.1", proxy.port()));
    }
    return new TransportLoad(loops, ctx, transport, stats, proxies, endpoints);
  }

  /**
   * Connects the subscribers, spread over the proxies or, unproxied, the nodes, and round-robin over the
   * event loops.
   */
  void connect(int subscribers) {
    for (int from = 0; from < subscribers; from += CONNECT_BATCH) {
      List<Future<Void>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(subscribers, from + CONNECT_BATCH); i++) {
        Endpoint endpoint = endpoints.get(i % endpoints.size());
        LoadClient client = transport.newClient(ctx, endpoint, stats.newSubscriber());
        clients.add(client);
        batch.add(startOn(loops.next(), client));
      }
      Await.result(Future.all(batch), Duration.ofSeconds(60),
        transport.wireName() + " subscribers " + from + ".." + (from + batch.size() - 1) + " getting ready");
    }
  }

  private static Future<Void> startOn(Context context, LoadClient client) {
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> client.start().onComplete(started));
    return started.future();
  }

  int connections() {
    return clients.size();
  }

  TrafficCounters.Snapshot traffic() {
    TrafficCounters.Snapshot sum = TrafficCounters.Snapshot.ZERO;
    for (ByteCountingProxy p : proxies) {
      sum = sum.plus(p.counters().snapshot());
    }
    return sum;
  }

  /** The packet timelines of the sampled subscriber connections, over every proxy. */
  List<PacketTimeline> timelines() {
    return proxies.stream().flatMap(p -> p.counters().timelines().stream()).toList();
  }

  void close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(c -> closing.add(c.close()));
    proxies.forEach(p -> closing.add(p.close()));
    try {
      Await.result(Future.join(closing), Duration.ofSeconds(20), "closing " + transport.wireName() + " subscribers");
    } catch (IllegalStateException e) {
      // a connection that fails to close cleanly must not spoil the figures already taken
    }
  }
}
