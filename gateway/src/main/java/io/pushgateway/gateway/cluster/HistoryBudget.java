package io.pushgateway.gateway.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.pushgateway.gateway.cluster.TopicOps.TopicWeight;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Holds the cluster's kept history to {@code historyMaxTotalBytes} over all topics, as a single
 * node holds its own: past the budget, topics forget the idempotency keys they remember of events
 * that left, then the least recently published topics keep only their newest event. The oldest
 * member weighs every topic now and then (a projection over the map, on a worker) and trims where
 * needed, so the budget is held within one check's interval; between two checks the map may pass
 * it by what was published meanwhile. Each member holds about its share of the total plus the
 * backups of others' shares.
 */
final class HistoryBudget {
  private static final Logger LOG = System.getLogger(HistoryBudget.class.getName());

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, TopicLog> topics;
  private final long totalBytes;
  private boolean checking;

  HistoryBudget(Vertx vertx, HazelcastInstance hazelcast, IMap<String, TopicLog> topics, long totalBytes) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.topics = topics;
    this.totalBytes = totalBytes;
  }

  /** Weighs and trims if this member is the oldest and no check is still running. */
  void check() {
    if (checking || totalBytes == Long.MAX_VALUE
      || !hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return;
    }
    checking = true;
    // a projection has no async form: on a worker
    vertx.executeBlocking(() -> topics.project(new TopicOps.Weigh()), false)
      .compose(weights -> {
        List<Future<Long>> trims = new ArrayList<>();
        for (Cut cut : toTrim(weights, totalBytes)) {
          trims.add(HazelcastAnswers.onContext(topics.submitToKey(cut.topic(), new TopicOps.Trim(cut.keysOnly())),
            vertx.getOrCreateContext()));
        }
        return Future.join(trims);
      })
      .onFailure(err -> LOG.log(Level.DEBUG, "history budget check failed: {0}", err.toString()))
      .onComplete(ar -> checking = false);
  }

  /** A topic to cut down: to forget its remembered keys, or ({@code keysOnly} false) also to keep only its newest event. */
  record Cut(String topic, boolean keysOnly) {
  }

  /**
   * What to cut until what is left fits {@code budget}: first the remembered keys of events that
   * left, then the topics cut to their newest event, least recently published first (an event's
   * share of its topic taken as the topic's mean).
   */
  static List<Cut> toTrim(Collection<TopicWeight> weights, long budget) {
    long total = weights.stream().filter(Objects::nonNull).mapToLong(w -> w.bytes).sum();
    List<Cut> out = new ArrayList<>();
    if (total <= budget) {
      return out;
    }
    List<TopicWeight> byAge = new ArrayList<>(weights.stream().filter(Objects::nonNull).toList());
    byAge.sort(Comparator.comparingLong((TopicWeight w) -> w.lastTs).thenComparing(w -> w.topic));
    for (TopicWeight w : byAge) {
      if (total > budget && w.keyBytes > 0) {
        out.add(new Cut(w.topic, true));
        total -= w.keyBytes;
      }
    }
    for (TopicWeight w : byAge) {
      if (total <= budget) {
        break;
      }
      if (w.events > 1) {
        long events = w.bytes - w.keyBytes;
        out.add(new Cut(w.topic, false));
        total -= events - events / w.events;
      }
    }
    return out;
  }
}
