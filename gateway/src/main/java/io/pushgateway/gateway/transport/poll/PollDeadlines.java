package io.pushgateway.gateway.transport.poll;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one event loop's long polls, without a timer per poll. Polls that asked for the
 * same timeout expire in the order they came, so each timeout keeps its polls in that order and
 * one timer, set for the oldest. A poll answered early leaves its queue in constant time, by the
 * {@link Place} it was given (no map, no boxing), and cancels nothing: the timer, when it fires,
 * answers the polls whose time is up and sets itself for the oldest one left. A timer per poll
 * cost a heap insertion and a removal in the event loop's schedule for every poll. Confined to
 * its event loop.
 */
final class PollDeadlines {

  /** Something that can time out: answered with nothing new when its time is up. */
  interface Waiter {
    void timedOut();
  }

  private final Vertx vertx;
  private final Map<Long, Queue> queues = new HashMap<>();
  /** The queue of the last timeout added: nearly every poll asks for the same one. */
  private Queue lastQueue;

  PollDeadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Times {@code waiter} out {@code timeoutMillis} from now unless its place is removed first. */
  Place add(Waiter waiter, long timeoutMillis) {
    Queue queue = lastQueue;
    if (queue == null || queue.timeoutMillis != timeoutMillis) {
      queue = queues.computeIfAbsent(timeoutMillis, Queue::new);
      lastQueue = queue;
    }
    return queue.add(waiter);
  }

  /** Idempotent. */
  void remove(Place place) {
    place.queue.unlink(place);
  }

  /** A waiter's place in its queue, linked to its neighbours: it leaves without a lookup. */
  static final class Place {
    private final Waiter waiter;
    private final Queue queue;
    private final long since;
    private Place older;
    private Place newer;
    private boolean queued = true;

    private Place(Waiter waiter, Queue queue, long since) {
      this.waiter = waiter;
      this.queue = queue;
      this.since = since;
    }
  }

  /** The waiters of one timeout, oldest first, each with when it came. */
  private final class Queue {
    private final long timeoutMillis;
    private final long timeoutNanos;
    private Place oldest;
    private Place newest;
    private long timer = -1;

    Queue(long timeoutMillis) {
      this.timeoutMillis = timeoutMillis;
      this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    Place add(Waiter waiter) {
      Place place = new Place(waiter, this, System.nanoTime());
      place.older = newest;
      if (newest != null) {
        newest.newer = place;
      } else {
        oldest = place;
      }
      newest = place;
      if (timer == -1) {
        schedule(timeoutNanos);
      }
      return place;
    }

    void unlink(Place place) {
      if (!place.queued) {
        return;
      }
      place.queued = false;
      if (place.older != null) {
        place.older.newer = place.newer;
      } else {
        oldest = place.newer;
      }
      if (place.newer != null) {
        place.newer.older = place.older;
      } else {
        newest = place.older;
      }
      place.older = null;
      place.newer = null;
    }

    private void schedule(long nanos) {
      timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)), id -> expire());
    }

    private void expire() {
      timer = -1;
      long now = System.nanoTime();
      List<Waiter> due = new ArrayList<>();
      while (oldest != null) {
        long left = oldest.since + timeoutNanos - now;
        if (left > 0) {
          schedule(left);
          break;
        }
        due.add(oldest.waiter);
        unlink(oldest);
      }
      due.forEach(Waiter::timedOut);
    }
  }
}
