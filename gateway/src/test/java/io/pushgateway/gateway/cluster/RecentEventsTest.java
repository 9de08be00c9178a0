package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.HistoryLimits;
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
