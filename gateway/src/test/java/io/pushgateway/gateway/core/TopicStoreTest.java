package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicStoreTest {

  private final TopicStore store = new TopicStore(5, 0, "ep1");

  private ReadResult read(String cursor, int limit, String... topics) {
    return store.read(new ReadRequest(List.of(topics), Cursor.parse(cursor), limit), 0);
  }

  @Test
  void assignsContiguousIdsPerTopic() {
    assertThat(store.append("a", "1", 10).id()).isEqualTo(1);
    assertThat(store.append("a", "2", 11).id()).isEqualTo(2);
    assertThat(store.append("b", "3", 12).id()).isEqualTo(1);
    Event event = store.append("a", "{\"x\":true}", 13);
    String json = "{\"topic\":\"a\",\"id\":3,\"ts\":13,\"data\":{\"x\":true}}";
    Buffer appended = Buffer.buffer("[");
    event.appendJson(appended);
    assertThat(appended.toString()).isEqualTo("[" + json);
    assertThat(event.jsonLength()).isEqualTo(json.length());
  }

  private static String json(Event event) {
    Buffer json = Buffer.buffer();
    event.appendJson(json);
    return json.toString();
  }

  @Test
  void newEpochsAreSixLowerCaseBase36CharactersThatDoNotRepeat() {
    Set<String> epochs = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String epoch = TopicStore.newEpoch();
      assertThat(epoch).matches("[0-9a-z]{6}");
      epochs.add(epoch);
    }
    // 10,000 draws from 36^6: one pair collides with a chance of about 2%, three of 2 in a million
    assertThat(epochs).hasSizeGreaterThanOrEqualTo(9_998);
    // every position takes every character, leading zeros included: the spelling is not cut short
    for (int position = 0; position < 6; position++) {
      int at = position;
      assertThat(epochs.stream().map(epoch -> epoch.charAt(at)).distinct().count()).isEqualTo(36);
    }
  }

  @Test
  void timestampsNeverGoBackwards() {
    store.append("a", "1", 100);
    assertThat(store.append("a", "2", 50).ts()).isEqualTo(100);
  }

  @Test
  void readsAfterCursorWithLimitAndMore() {
    for (int i = 0; i < 5; i++) {
      store.append("a", String.valueOf(i), i);
    }
    ReadResult first = read("a:1", 2, "a");
    assertThat(first.events()).extracting(Event::id).containsExactly(2L, 3L);
    assertThat(first.more()).isTrue();
    assertThat(first.cursor().toString()).isEqualTo("a:3:ep1");
    ReadResult rest = read(first.cursor().toString(), 10, "a");
    assertThat(rest.events()).extracting(Event::id).containsExactly(4L, 5L);
    assertThat(rest.more()).isFalse();
  }

  @Test
  void topicWithoutCursorStartsNow() {
    store.append("a", "1", 0);
    ReadResult result = read("", 10, "a", "b");
    assertThat(result.events()).isEmpty();
    assertThat(result.cursor().toString()).isEqualTo("a:1:ep1,b:0:ep1");
  }

  @Test
  void keepsOnlyTheNewestEventsAndResetsOlderCursors() {
    for (int i = 0; i < 12; i++) {
      store.append("a", String.valueOf(i), i);
    }
    assertThat(store.state("a", 0)).get().extracting(TopicState::oldestId, TopicState::lastId).containsExactly(8L, 12L);
    ReadResult old = read("a:3", 10, "a");
    assertThat(old.resets()).containsExactly(new Reset("a", 8, "ep1"));
    assertThat(old.events()).extracting(Event::id).containsExactly(8L, 9L, 10L, 11L, 12L);
    ReadResult justKept = read("a:7", 10, "a");
    assertThat(justKept.resets()).isEmpty();
    assertThat(justKept.events()).extracting(Event::id).startsWith(8L);
  }

  @Test
  void zeroMeansOldestKeptWithoutReset() {
    for (int i = 0; i < 7; i++) {
      store.append("a", String.valueOf(i), i);
    }
    ReadResult result = read("a:0", 10, "a");
    assertThat(result.resets()).isEmpty();
    assertThat(result.events()).extracting(Event::id).containsExactly(3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void resetsOnAnotherEpochOrAFutureId() {
    store.append("a", "1", 0);
    assertThat(read("a:1:other", 10, "a").resets()).containsExactly(new Reset("a", 1, "ep1"));
    assertThat(read("a:9", 10, "a").resets()).containsExactly(new Reset("a", 1, "ep1"));
    assertThat(read("a:1:ep1", 10, "a").resets()).isEmpty();
  }

  @Test
  void dropsEventsOlderThanMaxAge() {
    TopicStore aged = new TopicStore(100, 1000, "ep1");
    aged.append("a", "1", 0);
    aged.append("a", "2", 500);
    aged.append("a", "3", 1200);
    assertThat(aged.state("a", 1400)).get().extracting(TopicState::oldestId).isEqualTo(2L);
    assertThat(aged.state("a", 5000)).get().extracting(TopicState::oldestId, TopicState::lastId).containsExactly(4L, 3L);
    ReadResult result = aged.read(new ReadRequest(List.of("a"), Cursor.parse("a:1"), 10), 5000);
    assertThat(result.resets()).containsExactly(new Reset("a", 4, "ep1"));
    assertThat(result.events()).isEmpty();
  }

  @Test
  void ringGrowsAndWrapsKeepingOrder() {
    TopicStore big = new TopicStore(40, 0, "ep1");
    for (int i = 1; i <= 100; i++) {
      big.append("a", String.valueOf(i), i);
    }
    ReadResult all = big.read(new ReadRequest(List.of("a"), Cursor.parse("a:0"), 1000), 0);
    assertThat(all.events()).extracting(Event::id).hasSize(40).startsWith(61L).endsWith(100L).isSorted();
    assertThat(all.events()).extracting(TopicStoreTest::json).allMatch(s -> s.contains("\"data\":"));
  }

  /** Keys weigh with their events: a flood of keyed publishes holds no more than the byte bounds allow. */
  @Test
  void keysCountAgainstTheByteBounds() {
    HistoryLimits limits = new HistoryLimits(1000, 0, 2_000, Long.MAX_VALUE);
    TopicStore plain = new TopicStore(limits, "ep1", 100, 0, topic -> false);
    TopicStore keyed = new TopicStore(limits, "ep1", 100, 0, topic -> false);
    String longKey = "k".repeat(PublishKeys.MAX_LENGTH - 4);
    for (int i = 0; i < 100; i++) {
      plain.append("a", "1", null, null, i);
      keyed.append("a", "1", null, longKey + String.format("%04d", i), i);
    }
    long keyBytes = PublishKeys.heapBytes(longKey + "0000");
    // an event of data 1 weighs its JSON, about 40 bytes; with its key, 224 more
    assertThat(keyed.keptEvents()).isBetween(2_000 / (keyBytes + 50), 2_000 / (keyBytes + 30));
    assertThat(plain.keptEvents()).isGreaterThan(5 * keyed.keptEvents());
    // the keys of dropped events are forgotten with them: a retry of the first stores again
    assertThat(keyed.append("a", "1", null, longKey + "0000", 200).duplicate()).isFalse();
    assertThat(keyed.append("a", "1", null, longKey + "0099", 201).duplicate()).isTrue();
  }

  /**
   * With a key window a key outlives its event: a retry after the event left the history gets the
   * very event back (id, time, data), a key given again with other data or another content type is
   * refused, and past the window the key is free again.
   */
  @Test
  void aKeyOutlivesItsEventForTheKeyWindow() {
    TopicStore store = new TopicStore(new HistoryLimits(2, 0, Long.MAX_VALUE, Long.MAX_VALUE, 60_000), "ep1", 100, 0,
      topic -> false);
    Event first = store.append("a", "{\"n\":1}", null, "k1", 1000).event();
    Event picture = store.append("a", "\"AAAA\"", "image/png", "k2", 1001).event();
    store.append("a", "3", null, null, 1002);
    store.append("a", "4", null, null, 1003);
    assertThat(store.state("a", 1003).orElseThrow().oldestId()).as("both keyed events left").isEqualTo(3);

    Stored retry = store.append("a", "{\"n\":1}", null, "k1", 30_000);
    assertThat(retry.duplicate()).isTrue();
    assertThat(json(retry.event())).isEqualTo(json(first));
    assertThat(retry.event().epoch()).isEqualTo(first.epoch());
    assertThat(store.append("a", "\"AAAA\"", "image/png", "k2", 30_001).event().id()).isEqualTo(picture.id());
    assertThatThrownBy(() -> store.append("a", "{\"n\":2}", null, "k1", 30_002))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY_CONFLICT));
    assertThatThrownBy(() -> store.append("a", "\"AAAA\"", null, "k2", 30_003))
      .as("the same data as another content type").isInstanceOf(GatewayException.class);
    assertThat(store.state("a", 30_003).orElseThrow().lastId()).as("nothing stored").isEqualTo(4);

    Stored late = store.append("a", "{\"n\":1}", null, "k1", 61_001);
    assertThat(late.duplicate()).as("past the window").isFalse();
    assertThat(late.event().id()).isEqualTo(5);
  }

  /** Remembered keys weigh against the byte bounds and are forgotten before any event is dropped for them. */
  @Test
  void rememberedKeysYieldToTheByteBoundsBeforeEvents() {
    long retired = PublishKeys.retiredHeapBytes(key(0));
    TopicStore store = keyWindowStore(10 * retired, Long.MAX_VALUE);
    publishKeyed(store, "a", 1000, 0);
    assertThat(store.keptEvents()).as("the events the count allows, keys or not").isEqualTo(5);
    assertThat(store.append("a", "1", null, key(999), 1000).duplicate()).isTrue();
    assertThat(store.append("a", "1", null, key(993), 1001).duplicate()).as("a recent key remembered").isTrue();
    assertThat(store.append("a", "1", null, key(0), 1002).duplicate()).as("the oldest forgotten for the bound").isFalse();

    // over all topics: the least recently used topic's keys go before its events
    long event = store.append("a", "1", null, key(9999), 1003).event().heapBytes() + 8;
    TopicStore total = keyWindowStore(Long.MAX_VALUE, 10 * event + 10 * retired);
    publishKeyed(total, "old", 25, 0);
    publishKeyed(total, "new", 5, 100);
    assertThat(total.keptEvents()).as("both topics keep their events").isEqualTo(10);
    assertThat(total.append("old", "1", null, key(19), 200).duplicate())
      .as("the newest key that left still remembered").isTrue();
    assertThat(total.append("old", "1", null, key(0), 201).duplicate()).as("the oldest forgotten for the bound").isFalse();

    // a hot topic's keys go before the events of a topic used less recently
    TopicStore hotAndCold = keyWindowStore(Long.MAX_VALUE, 10 * event + 10 * retired);
    publishKeyed(hotAndCold, "cold", 5, 0);
    publishKeyed(hotAndCold, "hot", 100, 100);
    assertThat(hotAndCold.keptEvents()).as("the cold topic keeps its events").isEqualTo(10);
    assertThat(hotAndCold.append("hot", "1", null, key(93), 300).duplicate())
      .as("the hot topic's newest keys that left are remembered").isTrue();
  }

  /** A history of 5 events per topic, keys remembered for a minute, within these byte bounds. */
  private static TopicStore keyWindowStore(long topicBytes, long totalBytes) {
    return new TopicStore(new HistoryLimits(5, 0, topicBytes, totalBytes, 60_000), "ep1", 100, 0, topic -> false);
  }

  /** Publishes {@code count} events to {@code topic}, keyed 0, 1, …, one a millisecond from {@code fromTs}. */
  private static void publishKeyed(TopicStore store, String topic, int count, long fromTs) {
    for (int i = 0; i < count; i++) {
      store.append(topic, "1", null, key(i), fromTs + i);
    }
  }

  /** Key {@code i}, 100 characters. */
  private static String key(int i) {
    return "k".repeat(96) + String.format("%04d", i);
  }
}
