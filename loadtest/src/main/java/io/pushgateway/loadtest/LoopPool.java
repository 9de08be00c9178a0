package io.pushgateway.loadtest;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One context per event loop, so subscribers can be spread over all loops. Contexts made from a
 * plain thread all stick to one loop in Vert.x 5; verticle instances get a loop each. The first
 * loop is kept for the publisher: its timetable must not queue behind a burst of subscriber work.
 */
final class LoopPool {
  private final List<Context> contexts;
  private final AtomicInteger next = new AtomicInteger();

  private LoopPool(List<Context> contexts) {
    this.contexts = contexts;
  }

  /** Deploys {@code subscriberLoops + 1} contexts: the publisher's, then the subscribers'. */
  static LoopPool deploy(Vertx vertx, int subscriberLoops) {
    int loops = subscriberLoops + 1;
    List<Context> contexts = new CopyOnWriteArrayList<>();
    Await.result(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(loops)), Duration.ofSeconds(10), "starting the client event loops");
    return new LoopPool(List.copyOf(contexts));
  }

  /** The publisher's own loop. */
  Context publisher() {
    return contexts.get(0);
  }

  /** The subscriber loops, round-robin. */
  Context next() {
    return contexts.get(1 + Math.floorMod(next.getAndIncrement(), contexts.size() - 1));
  }

  /** How many loops serve subscribers. */
  int size() {
    return contexts.size() - 1;
  }
}
