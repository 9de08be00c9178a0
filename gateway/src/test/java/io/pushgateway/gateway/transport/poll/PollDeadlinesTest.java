package io.pushgateway.gateway.transport.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timeouts kept in arrival order with one timer per timeout value, on a real event loop. */
class PollDeadlinesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void eachWaiterTimesOutAfterItsOwnTimeoutUnlessRemovedFirst() throws Exception {
    List<String> timedOut = new CopyOnWriteArrayList<>();
    List<Long> lateness = new CopyOnWriteArrayList<>();
    CountDownLatch three = new CountDownLatch(3);
    PollDeadlines deadlines = new PollDeadlines(vertx);
    PollDeadlines.Waiter[] waiters = new PollDeadlines.Waiter[4];
    long[] due = new long[4];
    for (int i = 0; i < waiters.length; i++) {
      String name = "w" + i;
      int index = i;
      waiters[i] = () -> {
        lateness.add(System.nanoTime() - due[index]);
        timedOut.add(name);
        three.countDown();
      };
    }
    vertx.runOnContext(v -> {
      // the oldest of the 300 ms queue leaves early: the timer set for it must go on to the next
      due[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      PollDeadlines.Place first = deadlines.add(waiters[0], 300);
      vertx.setTimer(50, t -> {
        due[1] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        deadlines.add(waiters[1], 300);
        due[2] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        deadlines.add(waiters[2], 100);
        deadlines.remove(first);
        deadlines.remove(first); // idempotent
      });
      vertx.setTimer(100, t -> {
        due[3] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        deadlines.add(waiters[3], 300);
      });
    });
    assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(timedOut).containsExactly("w2", "w1", "w3");
    // never early; late by no more than a busy test machine's timer
    assertThat(lateness).allSatisfy(late -> assertThat(late).isBetween(0L, TimeUnit.SECONDS.toNanos(1)));
  }
}
