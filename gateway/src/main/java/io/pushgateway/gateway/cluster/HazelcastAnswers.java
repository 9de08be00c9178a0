package io.pushgateway.gateway.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Hazelcast's answers as Vert.x futures. Hazelcast runs a stage's plain callbacks on its default
 * asynchronous executor, which on a machine with two cores or fewer (the common fork-join pool's
 * parallelism is 1 there) starts a new thread for every callback: thousands a second under load.
 * So the thread that completes the answer (Hazelcast's response thread) hands it over itself, to
 * the Vert.x context that waits for it.
 */
final class HazelcastAnswers {

  /** Runs a callback on the thread that completed the stage. */
  private static final Executor COMPLETING_THREAD = Runnable::run;

  private HazelcastAnswers() {
  }

  /** {@code stage} as a future completed on {@code context}. */
  static <T> Future<T> onContext(CompletionStage<T> stage, Context context) {
    Promise<T> answer = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure == null) {
        answer.complete(value);
      } else {
        answer.fail(failure);
      }
    }), COMPLETING_THREAD);
    return answer.future();
  }
}
