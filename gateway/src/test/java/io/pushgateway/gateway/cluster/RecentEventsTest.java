package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.HistoryLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's cache of delivered events is bounded as history is: by count, by bytes per topic and in all. */
class RecentEventsTest {

  /** An event whose JSON is the same length for every id below 10. */
  private static Event event(String topic, long id, String epoch) {
    return Event.encode(topic, id, 1, epoch, "\"" + "x".repeat(60) + "\"");
  }

  private static final int SIZE = event("a", 1, "e").jsonLength();

  @Test
  void aTopicKeepsItsNewestEventsWithinItsBytes() {
    RecentEvents recent = new RecentEvents(new HistoryLimits(100, 0, 3L * SIZE, Long.MAX_VALUE));
    for (long id = 1; id <= 5; id++) {
      recent.add(event("a", id, "e"));
    }
    assertThat(recent.get("a", "e", 2)).isNull();
    assertThat(recent.get("a", "e", 3)).isNotNull();
    assertThat(recent.get("a", "e", 5).id()).isEqualTo(5);
    assertThat(recent.bytes()).isEqualTo(3L * SIZE);
  }

  @Test
  void aTopicOfAHistoryRuleKeepsTheRulesCountAfterAGapToo() {
    RecentEvents recent = new RecentEvents(new HistoryLimits(4, 0, Long.MAX_VALUE, Long.MAX_VALUE)
      .withRules(List.of(new HistoryLimits.Rule("short.*", 2, 0))));
    for (long id = 1; id <= 5; id++) {
      recent.add(event("short.a", id, "e"));
      recent.add(event("b", id, "e"));
    }
    assertThat(recent.get("short.a", "e", 3)).isNull();
    assertThat(recent.get("short.a", "e", 4)).isNotNull();
    assertThat(recent.get("b", "e", 1)).isNull();
    assertThat(recent.get("b", "e", 2)).isNotNull();
    recent.add(event("short.a", 9, "e")); // a gap starts the topic afresh, with its rule's count
    recent.add(event("short.a", 10, "e"));
    recent.add(event("short.a", 11, "e"));
    assertThat(recent.get("short.a", "e", 9)).isNull();
    assertThat(recent.get("short.a", "e", 10)).isNotNull();
  }

  @Test
  void overItsTotalWholeTopicsAreDroppedButNeverTheOneJustAddedTo() {
    RecentEvents recent = new RecentEvents(new HistoryLimits(100, 0, Long.MAX_VALUE, 5L * SIZE));
    for (long id = 1; id <= 3; id++) {
      recent.add(event("a", id, "e"));
    }
    for (long id = 1; id <= 3; id++) {
      recent.add(event("b", id, "e"));
    }
    assertThat(recent.get("a", "e", 3)).as("a gave way").isNull();
    assertThat(recent.get("b", "e", 1)).isNotNull();
    assertThat(recent.bytes()).isEqualTo(3L * SIZE);
  }

  @Test
  void aGapOrAnotherEpochStartsTheTopicAfreshAndItsBytesLeaveTheCount() {
    RecentEvents recent = new RecentEvents(new HistoryLimits(100, 0, Long.MAX_VALUE, Long.MAX_VALUE));
    recent.add(event("a", 1, "e"));
    recent.add(event("a", 2, "e"));
    recent.add(event("a", 5, "e")); // 3 and 4 never relayed
    assertThat(recent.get("a", "e", 2)).isNull();
    assertThat(recent.get("a", "e", 5)).isNotNull();
    assertThat(recent.bytes()).isEqualTo(SIZE);
    recent.add(event("a", 1, "f"));
    assertThat(recent.get("a", "e", 5)).isNull();
    assertThat(recent.get("a", "f", 1)).isNotNull();
    assertThat(recent.bytes()).isEqualTo(SIZE);
    recent.forget("a");
    assertThat(recent.bytes()).isZero();
  }

  @Test
  void aFullRingHandsBackTheBytesOfWhatItOverwrites() {
    RecentEvents recent = new RecentEvents(new HistoryLimits(2, 0, Long.MAX_VALUE, Long.MAX_VALUE));
    for (long id = 1; id <= 6; id++) {
      recent.add(event("a", id, "e"));
    }
    assertThat(recent.bytes()).isEqualTo(2L * SIZE);
  }
}
