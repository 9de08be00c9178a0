package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A log's events reach the hubs that listen to their topic, all of them, and no other hub. */
class HubsTest {

  private Vertx vertx;
  private LocalEventLog log;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    log = LocalEventLog.deploy(vertx, UUID.randomUUID().toString(), 1000, 0, 1000, 0, topic -> true)
      .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A hub on an event loop of its own, recording every event handed to it, listened to or not. */
  private final class Loop {
    final Context context = vertx.getOrCreateContext();
    final Hub hub = new Hub();
    final List<Event> handed = new CopyOnWriteArrayList<>();

    Loop() throws Exception {
      onLoop(() -> log.hubs().join(vertx.eventBus(), hub, event -> {
        handed.add(event);
        hub.dispatch(event);
      }).completion()).await(10, TimeUnit.SECONDS);
    }

    <T> Future<T> onLoop(Supplier<Future<T>> action) {
      Promise<T> done = Promise.promise();
      context.runOnContext(v -> action.get().onComplete(done));
      return done.future();
    }

    /** Adds a listener of {@code topic}, then looks at the log's head as a subscriber does. */
    Future<Follower> follow(String topic) {
      return onLoop(() -> {
        Follower follower = new Follower();
        hub.add(topic, follower);
        Position head = log.head(topic);
        follower.after = head == null ? 0 : head.id();
        return Future.succeededFuture(follower);
      });
    }
  }

  /** What a listener got, after the head it saw when it was added. */
  private static final class Follower implements Hub.Listener {
    final BlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
    volatile long after;

    @Override
    public void onEvent(Event event) {
      arrived.add(event.id());
    }

    /** The next {@code count} ids, each waited for at most 10 s. */
    List<Long> next(int count) throws InterruptedException {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Long id = arrived.poll(10, TimeUnit.SECONDS);
        assertThat(id).as("event %d of %d", i + 1, count).isNotNull();
        ids.add(id);
      }
      return ids;
    }
  }

  private void append(String topic, int count) throws Exception {
    Future<Event> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(previous -> log.append(topic, "{}"));
    }
    chain.await(10, TimeUnit.SECONDS);
  }

  @Test
  void anEventReachesOnlyTheHubsWithAListenerOfItsTopic() throws Exception {
    Loop first = new Loop();
    Loop second = new Loop();
    Follower ofA = first.follow("a").await(10, TimeUnit.SECONDS);
    Follower ofB = second.follow("b").await(10, TimeUnit.SECONDS);

    append("a", 3);
    append("b", 2);
    append("nobody", 4);
    assertThat(ofA.next(3)).containsExactly(1L, 2L, 3L);
    assertThat(ofB.next(2)).containsExactly(1L, 2L);
    // Each append replied after the hubs were sent its event, so nothing else is on its way.
    assertThat(first.handed).extracting(Event::topic).containsOnly("a").hasSize(3);
    assertThat(second.handed).extracting(Event::topic).containsOnly("b").hasSize(2);
    assertThat(first.hub.behind()).isFalse();
  }

  @Test
  void aHubWhoseLastListenerLeftGetsNoMoreOfTheTopic() throws Exception {
    Loop loop = new Loop();
    Follower follower = loop.follow("a").await(10, TimeUnit.SECONDS);
    append("a", 1);
    assertThat(follower.next(1)).containsExactly(1L);
    loop.onLoop(() -> {
      loop.hub.remove("a", follower);
      return Future.succeededFuture();
    }).await(10, TimeUnit.SECONDS);

    append("a", 2);
    Follower again = loop.follow("a").await(10, TimeUnit.SECONDS);
    append("a", 1);
    assertThat(again.next(1)).containsExactly(4L);

    assertThat(loop.handed).extracting(Event::id).containsExactly(1L, 4L);
    assertThat(again.after).isEqualTo(3);
  }

  /**
   * A listener added while its topic's events are being appended from another thread gets the
   * first event after the head it saw, every time: the hub's new interest and the log's new head
   * are never both missed. Each listener here is its hub's only one, so each addition is a race.
   */
  @Test
  void aListenerAddedDuringAppendsGetsTheEventAfterTheHeadItSaw() throws Exception {
    Loop subscriber = new Loop();
    int joins = 2000;
    List<long[]> seen = new CopyOnWriteArrayList<>(); // {head seen, first id after it}
    Promise<Void> joined = Promise.promise();
    subscriber.context.runOnContext(v -> new Hub.Listener() {
      long after;

      void join() {
        subscriber.hub.add("t", this);
        Position head = log.head("t");
        after = head == null ? 0 : head.id();
      }

      @Override
      public void onEvent(Event event) {
        if (event.id() <= after) {
          return; // seen: it was sent before the head moved
        }
        seen.add(new long[] {after, event.id()});
        subscriber.hub.remove("t", this);
        if (seen.size() == joins) {
          joined.complete();
        } else {
          subscriber.context.runOnContext(next -> join());
        }
      }
    }.join());
    Future<Event> appending = Future.succeededFuture();
    while (!joined.future().isComplete()) {
      appending = appending.compose(previous -> log.append("t", "{}"));
      appending.await(10, TimeUnit.SECONDS);
    }
    assertThat(seen).hasSize(joins)
      .allSatisfy(pair -> assertThat(pair[1]).as("the first event after head %d", pair[0]).isEqualTo(pair[0] + 1));
  }
}
