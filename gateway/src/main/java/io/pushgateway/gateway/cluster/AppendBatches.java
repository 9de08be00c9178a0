package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Event;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A node's appends to each topic, sent to the topic's owner in batches: while one batch of a topic
 * is on its way, the topic's next appends wait, and leave together when it is answered. A lone
 * append leaves at once (no timer: nothing waits at low rates); under load one round trip and one
 * backup carry many events, in the order they came.
 *
 * <p>All its state lives on one context, so it needs no lock; appends come from any thread and hop
 * onto it, and each append's answer hops back to the context it came from. A topic's queue exists
 * only while a batch of it is in flight.
 */
final class AppendBatches {

  /** Events in one batch at most, and their data's characters: a batch is one operation on the owner. */
  static final int MAX_EVENTS = 256;
  static final int MAX_CHARS = 1 << 20;

  private final Context context;
  private final BiFunction<String, List<Pending>, Future<List<Event>>> send;
  /** The appends waiting behind each topic's batch in flight; a topic is here while one is. */
  private final Map<String, ArrayDeque<Pending>> inFlight = new HashMap<>();
  /** Batches shipped so far; written on the context only. */
  private volatile long shipped;

  /** {@code send} ships one batch to the topic's owner and answers with its events, in order. */
  AppendBatches(Context context, BiFunction<String, List<Pending>, Future<List<Event>>> send) {
    this.context = context;
    this.send = send;
  }

  /** One append waiting for its batch: its data, and where its answer goes. */
  record Pending(String dataJson, String contentType, Context caller, Promise<Event> answer) {

    void complete(Event event) {
      caller.runOnContext(v -> answer.complete(event));
    }

    void fail(Throwable failure) {
      caller.runOnContext(v -> answer.fail(failure));
    }
  }

  /** Queues an append; appends to a topic made one after another on one thread keep their order. */
  Future<Event> add(String topic, String dataJson, String contentType, Context caller) {
    Pending append = new Pending(dataJson, contentType, caller, Promise.promise());
    onContext(() -> enqueue(topic, append));
    return append.answer().future();
  }

  private void onContext(Runnable task) {
    if (Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  private void enqueue(String topic, Pending append) {
    ArrayDeque<Pending> waiting = inFlight.get(topic);
    if (waiting != null) {
      waiting.add(append);
      return;
    }
    inFlight.put(topic, new ArrayDeque<>());
    ship(topic, List.of(append));
  }

  /** Round trips to owners so far (batches shipped); any thread. */
  long shipped() {
    return shipped;
  }

  private void ship(String topic, List<Pending> batch) {
    shipped++;
    Future<List<Event>> answered;
    try {
      answered = send.apply(topic, batch);
    } catch (RuntimeException e) {
      answered = Future.failedFuture(e); // a cluster shutting down throws at once: this batch fails alone
    }
    answered.onComplete(done -> {
      for (int i = 0; i < batch.size(); i++) {
        if (done.succeeded()) {
          batch.get(i).complete(done.result().get(i));
        } else {
          batch.get(i).fail(done.cause());
        }
      }
      onContext(() -> next(topic));
    });
  }

  /** The topic's batch was answered: the appends that came meanwhile leave, or the topic's queue goes. */
  private void next(String topic) {
    ArrayDeque<Pending> waiting = inFlight.get(topic);
    if (waiting.isEmpty()) {
      inFlight.remove(topic);
    } else {
      ship(topic, take(waiting));
    }
  }

  /** The next batch: the oldest waiting appends, within the batch bounds (at least one). */
  private static List<Pending> take(ArrayDeque<Pending> waiting) {
    List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_EVENTS));
    long size = 0;
    while (!waiting.isEmpty() && batch.size() < MAX_EVENTS
      && (batch.isEmpty() || size + waiting.peek().dataJson().length() <= MAX_CHARS)) {
      Pending next = waiting.poll();
      size += next.dataJson().length();
      batch.add(next);
    }
    return batch;
  }
}
