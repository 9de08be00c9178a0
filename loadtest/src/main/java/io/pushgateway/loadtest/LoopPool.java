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
 * plain thread all stick to one loop in Vert.x 5; verticle instances get a loop each.
 */
final class LoopPool {
  private final List<Context> contexts;
  private final AtomicInteger next = new AtomicInteger();

  private LoopPool(List<Context> contexts) {
    this.contexts = contexts;
  }

  static LoopPool deploy(Vertx vertx, int loops) {
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

  Context next() {
    return contexts.get(Math.floorMod(next.getAndIncrement(), contexts.size()));
  }

  int size() {
    return contexts.size();
  }
}
