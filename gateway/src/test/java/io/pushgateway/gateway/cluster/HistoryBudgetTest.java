package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.cluster.TopicOps.TopicWeight;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which topics the cluster's total history budget cuts down, and in what order. */
class HistoryBudgetTest {

  @Test
  void withinTheBudgetNothingIsTrimmed() {
    assertThat(HistoryBudget.toTrim(List.of(weight("a", 500, 1, 5), weight("b", 500, 2, 5)), 1000)).isEmpty();
  }

  @Test
  void theLeastRecentlyPublishedGoFirstUntilTheRestFits() {
    List<TopicWeight> weights = List.of(weight("new", 1000, 30, 10), weight("old", 1000, 10, 10),
      weight("mid", 1000, 20, 10));
    // 3000 against 1500: "old" frees 900 (2100 left), "mid" 900 (1200 left), "new" is kept whole
    assertThat(HistoryBudget.toTrim(weights, 1500)).containsExactly(cut("old"), cut("mid"));
  }

  @Test
  void aTopicOfOneEventIsNeverTrimmedAndMissingEntriesAreSkipped() {
    List<TopicWeight> weights = Arrays.asList(weight("single", 5000, 1, 1), null, weight("many", 5000, 2, 5));
    assertThat(HistoryBudget.toTrim(weights, 1000)).containsExactly(cut("many"));
  }

  @Test
  void rememberedKeysAreForgottenBeforeAnyEvent() {
    List<TopicWeight> weights = List.of(new TopicWeight("cold", 1000, 0, 10, 10),
      new TopicWeight("hot", 3000, 1500, 30, 10), new TopicWeight("warm", 1000, 400, 20, 10));
    // 5000 against 4700: the least recently published topic's keys make it fit
    assertThat(HistoryBudget.toTrim(weights, 4700)).containsExactly(keys("warm"));
    // 5000 against 3000: every topic's keys (1900), then the least recently published topic's events
    assertThat(HistoryBudget.toTrim(weights, 3000)).containsExactly(keys("warm"), keys("hot"), cut("cold"));
  }

  static TopicWeight weight(String topic, long bytes, long lastTs, int events) {
    return new TopicWeight(topic, bytes, 0, lastTs, events);
  }

  private static HistoryBudget.Cut cut(String topic) {
    return new HistoryBudget.Cut(topic, false);
  }

  private static HistoryBudget.Cut keys(String topic) {
    return new HistoryBudget.Cut(topic, true);
  }
}
