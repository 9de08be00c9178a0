package io.pushgateway.gateway.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Appends of one node to one topic, sent to the topic's owner in batches: while one batch is on
 * its way, the appends that come are queued, and leave together as the next batch when it is
 * answered. A lone append leaves at once (no timer, nothing to wait for at low rates); under load
 * one round trip and one backup carry many events, in the order they came. Safe from any thread.
 *
 * @param <P> one pending append
 * @param <R> what the owner answers for a batch
 */
final class AppendBatcher<P, R> {

  /** Events in one batch at most, and their data's characters: a batch is one operation on the owner. */
  static final int MAX_EVENTS = 512;
  static final int MAX_CHARS = 1 << 20;

  private final Map<String, Queue<P>> queues = new ConcurrentHashMap<>();
  private final Function<P, Integer> size;
  private final BatchSender<P, R> sender;
  private final BiConsumer<List<P>, Throwable> failed;
  private final Answer<P, R> answered;
  /** Where answers are handled: never Hazelcast's own threads, which must not wait on the cluster. */
  private final Executor answers;

  interface BatchSender<P, R> {
    CompletionStage<R> send(String topic, List<P> batch);
  }

  interface Answer<P, R> {
    void answered(String topic, List<P> batch, R result);
  }

  AppendBatcher(Function<P, Integer> size, BatchSender<P, R> sender, Answer<P, R> answered,
                BiConsumer<List<P>, Throwable> failed, Executor answers) {
    this.answers = answers;
    this.size = size;
    this.sender = sender;
    this.answered = answered;
    this.failed = failed;
  }

  void add(String topic, P pending) {
    Queue<P> queue = queues.computeIfAbsent(topic, t -> new Queue<>());
    List<P> batch;
    synchronized (queue) {
      queue.waiting.add(pending);
      if (queue.inFlight) {
        return;
      }
      queue.inFlight = true;
      batch = queue.take(size);
    }
    send(topic, queue, batch);
  }

  private void send(String topic, Queue<P> queue, List<P> batch) {
    CompletionStage<R> sent;
    try {
      sent = sender.send(topic, batch);
    } catch (RuntimeException e) {
      // a cluster that is shutting down throws at once: this batch fails, the queue goes on
      sent = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    // handled elsewhere than the thread that completes it: a local owner completes it on its
    // partition thread, where publishing to the clustered event bus could wait on that partition
    sent.whenCompleteAsync((result, error) -> {
      try {
        if (error != null) {
          failed.accept(batch, error);
        } else {
          answered.answered(topic, batch, result);
        }
      } catch (RuntimeException e) {
        failed.accept(batch, e);
      } finally {
        List<P> next;
        synchronized (queue) {
          if (queue.waiting.isEmpty()) {
            // the queue stays (one small object per topic, as many as maxTopics): a second one
            // for the same topic could send beside it and lose the order
            queue.inFlight = false;
            next = null;
          } else {
            next = queue.take(size);
          }
        }
        if (next != null) {
          send(topic, queue, next);
        }
      }
    }, answers);
  }

  /** One topic's appends waiting for the batch in flight; guarded by itself. */
  private static final class Queue<P> {
    final List<P> waiting = new ArrayList<>();
    boolean inFlight;

    List<P> take(Function<P, Integer> size) {
      int events = 0;
      int chars = 0;
      while (events < waiting.size() && events < MAX_EVENTS
        && (events == 0 || chars + size.apply(waiting.get(events)) <= MAX_CHARS)) {
        chars += size.apply(waiting.get(events));
        events++;
      }
      List<P> batch = new ArrayList<>(waiting.subList(0, events));
      waiting.subList(0, events).clear();
      return batch;
    }
  }
}
