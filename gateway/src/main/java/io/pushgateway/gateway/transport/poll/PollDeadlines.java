package io.pushgateway.gateway.transport.poll;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one event loop's long polls, without a timer per poll. Polls that asked for the
 * same timeout expire in the order they came, so each timeout keeps its polls in that order and
 * one timer, set for the oldest. A poll answered early leaves its queue in constant time and
 * cancels nothing: the timer, when it fires, answers the polls whose time is up and sets itself
 * for the oldest one left. A timer per poll cost a heap insertion and a removal in the event
 * loop's schedule for every poll. Confined to its event loop.
 */
final class PollDeadlines {

  /** Something that can time out: answered with nothing new when its time is up. */
  interface Waiter {
    void timedOut();
  }

  private final Vertx vertx;
  private final Map<Long, Queue> queues = new HashMap<>();

  PollDeadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Times {@code waiter} out {@code timeoutMillis} from now unless it is removed first. */
  void add(Waiter waiter, long timeoutMillis) {
    queues.computeIfAbsent(timeoutMillis, Queue::new).add(waiter);
  }

  /** Idempotent. */
  void remove(Waiter waiter, long timeoutMillis) {
    Queue queue = queues.get(timeoutMillis);
    if (queue != null) {
      queue.since.remove(waiter);
    }
  }

  /** The waiters of one timeout, oldest first, each with when it came. */
  private final class Queue {
    private final long timeoutNanos;
    /** When each waiter came, oldest first. */
    private final LinkedHashMap<Waiter, Long> since = new LinkedHashMap<>();
    private long timer = -1;

    Queue(long timeoutMillis) {
      this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    void add(Waiter waiter) {
      since.put(waiter, System.nanoTime());
      if (timer == -1) {
        schedule(timeoutNanos);
      }
    }

    private void schedule(long nanos) {
      timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)), id -> expire());
    }

    private void expire() {
      timer = -1;
      long now = System.nanoTime();
      List<Waiter> due = new ArrayList<>();
      Iterator<Map.Entry<Waiter, Long>> oldestFirst = since.entrySet().iterator();
      while (oldestFirst.hasNext()) {
        Map.Entry<Waiter, Long> waiter = oldestFirst.next();
        long left = waiter.getValue() + timeoutNanos - now;
        if (left > 0) {
          schedule(left);
          break;
        }
        oldestFirst.remove();
        due.add(waiter.getKey());
      }
      due.forEach(Waiter::timedOut);
    }
  }
}
