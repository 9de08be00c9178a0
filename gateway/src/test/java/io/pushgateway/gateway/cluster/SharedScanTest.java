package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scan the cluster's topic listings share, on a clock the test moves: one scan for those
 * asking while it runs, reused while fresh (a second, or ten times its length), a failed one never.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedScanTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final AtomicInteger scans = new AtomicInteger();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void thoseWhoAskWhileAScanRunsShareItAndItIsReusedForASecond() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    SharedScan<Integer> shared = new SharedScan<>(vertx, () -> {
      release.await(10, TimeUnit.SECONDS);
      return scans.incrementAndGet();
    }, clock::get, SECOND);

    Future<Integer> first = shared.get();
    Future<Integer> second = shared.get();
    release.countDown();
    assertThat(first.await(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(second.await(10, TimeUnit.SECONDS)).isEqualTo(1);

    clock.addAndGet(SECOND - 1);
    assertThat(shared.get().await(10, TimeUnit.SECONDS)).as("still fresh").isEqualTo(1);
    clock.addAndGet(1);
    assertThat(shared.get().await(10, TimeUnit.SECONDS)).as("a second old").isEqualTo(2);
  }

  @Test
  void aLongScanIsReusedTenTimesAsLongAsItTook() throws Exception {
    SharedScan<Integer> shared = new SharedScan<>(vertx, () -> {
      clock.addAndGet(3 * SECOND); // a scan that takes 3 s
      return scans.incrementAndGet();
    }, clock::get, SECOND);

    assertThat(shared.get().await(10, TimeUnit.SECONDS)).isEqualTo(1);
    clock.addAndGet(30 * SECOND - 1);
    assertThat(shared.get().await(10, TimeUnit.SECONDS)).isEqualTo(1);
    clock.addAndGet(1);
    assertThat(shared.get().await(10, TimeUnit.SECONDS)).isEqualTo(2);
  }

  @Test
  void aFailedScanIsNotReused() throws Exception {
    SharedScan<Integer> shared = new SharedScan<>(vertx, () -> {
      if (scans.incrementAndGet() == 1) {
        throw new IllegalStateException("a member left");
      }
      return scans.get();
    }, clock::get, SECOND);

    assertThat(shared.get().toCompletionStage().toCompletableFuture())
      .failsWithin(10, TimeUnit.SECONDS);
    assertThat(shared.get().await(10, TimeUnit.SECONDS)).as("asked again at once").isEqualTo(2);
  }
}
