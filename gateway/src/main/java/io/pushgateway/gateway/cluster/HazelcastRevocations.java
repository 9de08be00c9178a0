package io.pushgateway.gateway.cluster;

import com.hazelcast.map.IMap;
import io.pushgateway.gateway.security.Revocations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Revocations shared by the cluster: one map entry per revoked {@code sub} or {@code jti}, living
 * until the revocation's {@code until} (the entry's TTL), and an entry listener on every node that
 * applies each one as it is written, so a token revoked on one node is refused, and its streams
 * end, on all of them within milliseconds. A node that joins later reads the map when it starts.
 */
public final class HazelcastRevocations extends Revocations {

  static final String REVOCATIONS_MAP = "push-gateway.revocations";

  private final Vertx vertx;
  private final IMap<String, String> map;
  private UUID listener;

  private HazelcastRevocations(Vertx vertx, IMap<String, String> map, int maxRevocations) {
    super(maxRevocations);
    this.vertx = vertx;
    this.map = map;
  }

  /** Listens to the cluster's revocations, then takes those made before this node joined. */
  public static Future<Revocations> deploy(ClusterNode node, int maxRevocations) {
    Vertx vertx = node.vertx();
    // creating the map's proxy and reading it wait for the cluster: on a worker
    return vertx.executeBlocking(() -> {
      IMap<String, String> map = node.hazelcast().getMap(REVOCATIONS_MAP);
      HazelcastRevocations revocations = new HazelcastRevocations(vertx, map, maxRevocations);
      revocations.listener = map.addEntryListener(revocations.new Written(), true);
      map.values().forEach(revocations::stored);
      return revocations;
    });
  }

  @Override
  protected Future<Void> share(Revocation revocation) {
    long ttl = Math.max(1, revocation.untilSeconds() - System.currentTimeMillis() / 1000);
    return HazelcastAnswers.onContext(map.setAsync(revocation.key(), revocation.toJson().encode(), ttl,
      TimeUnit.SECONDS), vertx.getOrCreateContext());
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> map.removeEntryListener(listener), false)
      .<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private void stored(String json) {
    apply(Revocation.fromJson(new JsonObject(json)));
  }

  /** Every node's revocations, this one's included (applying one twice changes nothing). */
  private final class Written implements EntryWrites<String, String> {

    @Override
    public void written(String json) {
      stored(json);
    }
  }
}
