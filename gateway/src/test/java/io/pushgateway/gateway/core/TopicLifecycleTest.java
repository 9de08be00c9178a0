package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.core.Transport;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bounded topics: the cap, idle eviction, one epoch per life of a topic. The clock is passed in. */
class TopicLifecycleTest {

  private static final long IDLE = 1000;

  private final Set<String> subscribed = new HashSet<>();
  private final TopicStore store = new TopicStore(5, 0, "ep1", 3, IDLE, subscribed::contains);

  private ReadResult read(String cursor, long now, String... topics) {
    return store.read(new ReadRequest(List.of(topics), Cursor.parse(cursor), 100), now);
  }

  @Test
  void refusesANewTopicAtTheCapButKeepsAcceptingExistingOnes() {
    store.append("a", "1", 0);
    store.append("b", "1", 0);
    store.append("c", "1", 0);
    assertThatThrownBy(() -> store.append("d", "1", 0))
      .isInstanceOfSatisfying(GatewayException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TOPICS);
        assertThat(e.code().status()).isEqualTo(503);
        assertThat(e.getMessage()).contains("3 topics").contains("evicted");
      });
    assertThat(store.topicNames()).containsExactly("a", "b", "c");
    assertThat(store.keptEvents()).isEqualTo(3);
    assertThat(store.append("a", "2", 0).id()).isEqualTo(2);
  }

  @Test
  void evictsTopicsIdleForTheIdleTimeWithTheirHistory() {
    store.append("a", "1", 0);
    store.append("b", "1", 600);
    assertThat(store.sweep(999, 100)).isEmpty();
    assertThat(store.sweep(1000, 100)).containsExactly("a");
    assertThat(store.topicNames()).containsExactly("b");
    assertThat(store.topicCount()).isEqualTo(1);
    assertThat(store.keptEvents()).isEqualTo(1);
    assertThat(store.state("a", 1000)).isEmpty();
    // a read touches: b stays
    read("", 1500, "b");
    assertThat(store.sweep(2000, 100)).isEmpty();
    assertThat(store.sweep(2500, 100)).containsExactly("b");
    assertThat(store.topicCount()).isZero();
    assertThat(store.keptEvents()).isZero();
  }

  @Test
  void lookingAtATopicDoesNotKeepItButPublishingDoes() {
    store.append("a", "1", 0);
    store.append("b", "1", 0);
    for (long t = 100; t < 1000; t += 100) {
      store.state("a", t);
      store.append("b", "2", t);
    }
    assertThat(store.sweep(1000, 100)).containsExactly("a");
    assertThat(store.sweep(1899, 100)).isEmpty();
    assertThat(store.sweep(1900, 100)).containsExactly("b");
  }

  @Test
  void neverEvictsATopicWithSubscribers() {
    store.append("a", "1", 0);
    subscribed.add("a");
    assertThat(store.sweep(5000, 100)).isEmpty();
    subscribed.remove("a");
    // found in use at 5000: it counts as touched then
    assertThat(store.sweep(5999, 100)).isEmpty();
    assertThat(store.sweep(6000, 100)).containsExactly("a");
  }

  @Test
  void evictionFreesRoomUnderTheCap() {
    store.append("a", "1", 0);
    store.append("b", "1", 0);
    store.append("c", "1", 0);
    assertThatThrownBy(() -> store.append("d", "1", 500)).isInstanceOf(GatewayException.class);
    store.sweep(1000, 100);
    assertThat(store.append("d", "1", 1000).id()).isEqualTo(1);
  }

  @Test
  void sweepLooksAtABoundedNumberOfTopicsPerCall() {
    store.append("a", "1", 0);
    store.append("b", "1", 0);
    store.append("c", "1", 0);
    assertThat(store.sweep(1000, 2)).containsExactly("a", "b");
    assertThat(store.sweep(1000, 2)).containsExactly("c");
  }

  @Test
  void aTopicStartedAgainHasANewEpochSoAnOldCursorIsReset() {
    for (int i = 0; i < 4; i++) {
      store.append("a", String.valueOf(i), 0);
    }
    String firstLife = store.state("a", 0).orElseThrow().epoch();
    assertThat(firstLife).startsWith("ep1_");
    store.sweep(1000, 100);
    store.append("a", "new1", 1000);
    store.append("a", "new2", 1000);
    TopicState secondLife = store.state("a", 1000).orElseThrow();
    assertThat(secondLife.epoch()).isNotEqualTo(firstLife);
    // the old cursor names id 4 of the first life: not a silent skip of the new 1..2
    ReadResult resumed = read("a:4:" + firstLife, 1000, "a");
    assertThat(resumed.resets()).containsExactly(new Reset("a", 1, secondLife.epoch()));
    assertThat(resumed.events()).extracting(Event::id).containsExactly(1L, 2L);
    assertThat(resumed.events()).extracting(Event::epoch).containsOnly(secondLife.epoch());
    assertThat(resumed.cursor().toString()).isEqualTo("a:2:" + secondLife.epoch());
    // the same with an id below the new last id
    assertThat(read("a:1:" + firstLife, 1000, "a").resets()).containsExactly(new Reset("a", 1, secondLife.epoch()));
  }

  @Test
  void aSubscriberOfATopicWithoutEventsGetsTheEpochItsEventsWillHave() {
    ReadResult subscribe = read("", 0, "fresh");
    TopicState state = subscribe.states().get("fresh");
    assertThat(state.lastId()).isZero();
    // an empty history does not count as a topic with events
    assertThat(store.topicNames()).isEmpty();
    assertThat(store.state("fresh", 0)).isEmpty();
    Event first = store.append("fresh", "1", 10);
    assertThat(first.epoch()).isEqualTo(state.epoch());
    ReadResult resumed = read(subscribe.cursor().toString(), 10, "fresh");
    assertThat(resumed.resets()).isEmpty();
    assertThat(resumed.events()).extracting(Event::id).containsExactly(1L);
  }

  @Test
  void aReadAtTheCapStoresNothing() {
    store.append("a", "1", 0);
    store.append("b", "1", 0);
    store.append("c", "1", 0);
    ReadResult result = read("", 0, "d");
    assertThat(result.states().get("d").epoch()).isEqualTo("ep1");
    assertThat(store.topicCount()).isEqualTo(3);
  }

  @Test
  void emptyHistoriesStartedByReadsAreEvictedToo() {
    for (int i = 0; i < 3; i++) {
      read("", 0, "n" + i);
    }
    assertThat(store.topicCount()).isEqualTo(3);
    assertThat(store.sweep(1000, 100)).hasSize(3);
    assertThat(store.topicCount()).isZero();
  }

  @Test
  void withoutIdleTimeEveryTopicKeepsTheStoreEpochAndReadsStoreNothing() {
    TopicStore forever = new TopicStore(5, 0, "ep1", 10, 0, topic -> false);
    forever.read(new ReadRequest(List.of("x"), Cursor.EMPTY, 10), 0);
    assertThat(forever.topicCount()).isZero();
    assertThat(forever.append("x", "1", 0).epoch()).isEqualTo("ep1");
    assertThat(forever.sweep(Long.MAX_VALUE / 2, 100)).isEmpty();
  }

  @Test
  void subscriberCountEntriesDisappearAtZero() throws Exception {
    SubscriberCounts counts = new SubscriberCounts();
    counts.add("a", Transport.WS, 1);
    counts.add("a", Transport.SSE, 1);
    counts.add("a", Transport.WS, -1);
    assertThat(counts.inUse("a")).isTrue();
    counts.add("a", Transport.SSE, -1);
    assertThat(counts.inUse("a")).isFalse();
    assertThat(counts.topics()).isZero();
    // two threads adding and removing on the same names never lose a count nor keep an entry
    Runnable churn = () -> {
      for (int i = 0; i < 20_000; i++) {
        String topic = "t" + (i % 7);
        counts.add(topic, Transport.LONG, 1);
        counts.add(topic, Transport.LONG, -1);
      }
    };
    CompletableFuture<Void> one = CompletableFuture.runAsync(churn);
    CompletableFuture<Void> two = CompletableFuture.runAsync(churn);
    CompletableFuture.allOf(one, two).get(30, TimeUnit.SECONDS);
    assertThat(counts.topics()).isZero();
    assertThat(counts.total(Transport.LONG)).isZero();
  }
}
