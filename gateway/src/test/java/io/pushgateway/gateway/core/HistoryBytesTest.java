package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** History bounded by bytes: per topic and over all topics, so kept images cannot exhaust the heap. */
class HistoryBytesTest {

  /** JSON data whose event JSON is exactly 100 bytes on topic "a" (and on any one-letter topic). */
  private static String data(int n) {
    String prefix = "{\"topic\":\"a\",\"id\":" + n + ",\"ts\":1,\"data\":\"";
    return "\"" + "x".repeat(100 - prefix.length() - 2) + "\"";
  }

  private static List<Long> kept(TopicStore store, String topic) {
    return store.read(new ReadRequest(List.of(topic), Cursor.parse(topic + ":0"), 1000), 1).events().stream()
      .map(Event::id).toList();
  }

  @Test
  void aTopicKeepsAtMostItsBytesNewestFirst() {
    TopicStore store = new TopicStore(new HistoryLimits(100, 0, 350, Long.MAX_VALUE), "ep", 10, 0, t -> false);
    for (int i = 1; i <= 9; i++) {
      assertThat(store.append("a", data(i), 1).jsonLength()).isEqualTo(100);
    }
    assertThat(kept(store, "a")).containsExactly(7L, 8L, 9L);
    assertThat(store.keptEvents()).isEqualTo(3);
  }

  @Test
  void theNewestEventIsKeptWhateverItsSize() {
    TopicStore store = new TopicStore(new HistoryLimits(100, 0, 150, Long.MAX_VALUE), "ep", 10, 0, t -> false);
    store.append("a", data(1), 1);
    store.append("a", "\"" + "y".repeat(1000) + "\"", 1);
    assertThat(kept(store, "a")).containsExactly(2L);
    assertThat(store.keptEvents()).isEqualTo(1);
  }

  @Test
  void overAllTopicsTheFirstTopicsOldestEventsGoFirst() {
    TopicStore store = new TopicStore(new HistoryLimits(100, 0, Long.MAX_VALUE, 500), "ep", 10, 0, t -> false);
    for (int i = 1; i <= 3; i++) {
      store.append("a", data(i), 1);
    }
    for (int i = 1; i <= 3; i++) {
      store.append("b", data(i), 1);
    }
    // 600 bytes were kept at most 500: "a", first in the store's order, gave up its oldest
    assertThat(kept(store, "a")).containsExactly(2L, 3L);
    assertThat(kept(store, "b")).containsExactly(1L, 2L, 3L);
    for (int i = 4; i <= 6; i++) {
      store.append("b", data(i), 1);
    }
    assertThat(kept(store, "a")).isEmpty();
    assertThat(kept(store, "b")).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(store.keptEvents()).isEqualTo(5);
  }

  @Test
  void aFullRingsOverwrittenEventLeavesTheByteCount() {
    TopicStore store = new TopicStore(new HistoryLimits(2, 0, 250, Long.MAX_VALUE), "ep", 10, 0, t -> false);
    for (int i = 1; i <= 10; i++) {
      store.append("a", data(i), 1);
    }
    // with the overwritten events still counted, 200 bytes would look like 1000 and drop one more
    assertThat(kept(store, "a")).containsExactly(9L, 10L);
  }
}
