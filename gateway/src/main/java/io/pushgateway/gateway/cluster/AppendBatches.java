package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Stored;
import io.vertx.core.AsyncResult;
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
import java.util.function.Function;

/**
 * A node's appends, sent to their topics' owners in batches. While one batch of a topic is on its
 * way, the topic's next appends wait, and leave together when it is answered. While
 * {@link #CALLS_PER_OWNER} calls to an owner are on their way, the batches of other topics that
 * member owns wait too, and leave together in the next call: with many topics few appends share a
 * topic, but many share an owner. A lone append leaves at once (no timer: nothing waits at low
 * rates); under load one round trip carries many events, each topic's in the order they came.
 *
 * <p>All its state lives on one context, so it needs no lock; appends come from any thread and hop
 * onto it, and each append's answer hops back to the context it came from. A topic's queue exists
 * only while a batch of it waits or is in flight, an owner's only while a call to it is.
 */
final class AppendBatches {

  /** Events in one topic's batch at most, and their data's characters: a batch is one operation on the owner. */
  static final int MAX_EVENTS = 256;
  static final int MAX_CHARS = 1 << 20;
  /** Topics' batches in one call to an owner at most. */
  static final int MAX_BATCHES_PER_CALL = 64;
  /**
   * Calls to one owner on their way at once. One at a time costs least CPU per publish, but a call
   * waits on hand-overs between threads on both members more than it works, and the next calls fill
   * that wait (over 100 topics, a sixth more publishes on a machine whose cores were not all busy);
   * batches still share calls once this many are out.
   */
  static final int CALLS_PER_OWNER = 4;

  private final Context context;
  private final Function<String, Object> owner;
  private final BiFunction<Object, List<Batch>, List<Future<List<Future<Stored>>>>> send;
  /** The appends of each topic with a batch waiting or in flight; those here wait for the next one. */
  private final Map<String, ArrayDeque<Pending>> topics = new HashMap<>();
  /** Each owner with a call in flight: how many, and the topics whose batches wait for the next call. */
  private final Map<Object, Owner> owners = new HashMap<>();
  /** Calls made so far; written on the context only. */
  private volatile long shipped;

  /**
   * {@code owner} names the member a topic's batch goes to (null if unknown: the batch leaves
   * alone); {@code send} ships one call, several topics' batches to one owner,
   * and answers with what each event of each batch got, in order.
   */
  AppendBatches(Context context, Function<String, Object> owner,
                BiFunction<Object, List<Batch>, List<Future<List<Future<Stored>>>>> send) {
    this.context = context;
    this.owner = owner;
    this.send = send;
  }

  /** One append waiting for its batch: its data and idempotency key, and where its answer goes. */
  record Pending(String dataJson, String contentType, String key, Context caller, Promise<Stored> answer) {

    void complete(AsyncResult<Stored> stored) {
      caller.runOnContext(v -> answer.handle(stored));
    }

    void fail(Throwable failure) {
      caller.runOnContext(v -> answer.fail(failure));
    }
  }

  /** The calls on their way to one member, and the topics whose batches wait for the next. */
  private static final class Owner {
    int calls;
    List<String> waiting = new ArrayList<>();
  }

  /** One topic's appends, in order, stored by one operation on its owner. */
  record Batch(String topic, List<Pending> appends) {
  }

  /** Queues an append; appends to a topic made one after another on one thread keep their order. */
  Future<Stored> add(String topic, String dataJson, String contentType, String key, Context caller) {
    Pending append = new Pending(dataJson, contentType, key, caller, Promise.promise());
    onContext(() -> enqueue(topic, append));
    return append.answer().future();
  }

  /** Calls to owners so far, each with one or more topics' batches; any thread. */
  long shipped() {
    return shipped;
  }

  private void onContext(Runnable task) {
    if (Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  private void enqueue(String topic, Pending append) {
    ArrayDeque<Pending> waiting = topics.get(topic);
    if (waiting != null) {
      waiting.add(append); // leaves with the topic's next batch
      return;
    }
    waiting = new ArrayDeque<>();
    waiting.add(append);
    topics.put(topic, waiting);
    ready(topic);
  }

  /** The topic has appends waiting and no batch in flight: they leave now or with its owner's next call. */
  private void ready(String topic) {
    Object to = owner.apply(topic);
    if (to == null) {
      ship(null, List.of(topic));
      return;
    }
    Owner member = owners.computeIfAbsent(to, key -> new Owner());
    if (member.calls < CALLS_PER_OWNER) {
      member.calls++;
      ship(to, List.of(topic));
    } else {
      member.waiting.add(topic);
    }
  }

  private void ship(Object to, List<String> callTopics) {
    shipped++;
    List<Batch> batches = new ArrayList<>(callTopics.size());
    for (String topic : callTopics) {
      batches.add(new Batch(topic, take(topics.get(topic))));
    }
    List<Future<List<Future<Stored>>>> answers;
    try {
      answers = send.apply(to, batches);
    } catch (RuntimeException e) {
      answers = new ArrayList<>(); // a cluster shutting down throws at once: this call fails alone
      for (int i = 0; i < batches.size(); i++) {
        answers.add(Future.failedFuture(e));
      }
    }
    for (int i = 0; i < batches.size(); i++) {
      List<Pending> appends = batches.get(i).appends();
      answers.get(i).onComplete(done -> {
        for (int j = 0; j < appends.size(); j++) {
          if (done.succeeded()) {
            appends.get(j).complete(done.result().get(j));
          } else {
            appends.get(j).fail(done.cause());
          }
        }
      });
    }
    Future.join(answers).onComplete(done -> onContext(() -> answered(to, callTopics)));
  }

  /** A call was answered: its topics' next appends get ready, and the owner's waiting batches leave. */
  private void answered(Object to, List<String> callTopics) {
    for (String topic : callTopics) {
      if (topics.get(topic).isEmpty()) {
        topics.remove(topic);
      } else {
        ready(topic);
      }
    }
    if (to == null) {
      return;
    }
    Owner member = owners.get(to);
    List<String> waiting = member.waiting;
    if (!waiting.isEmpty()) {
      int leaving = Math.min(waiting.size(), MAX_BATCHES_PER_CALL);
      member.waiting = new ArrayList<>(waiting.subList(leaving, waiting.size()));
      ship(to, new ArrayList<>(waiting.subList(0, leaving)));
    } else if (--member.calls == 0) {
      owners.remove(to);
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
