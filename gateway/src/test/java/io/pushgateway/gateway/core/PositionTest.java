package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Position.Step;
import org.junit.jupiter.api.Test;

/** The one rule of live delivery, shared by push streams and long polls. */
class PositionTest {

  private static Event event(long id, String epoch) {
    return Event.encode("t", id, 1, epoch, "1");
  }

  @Test
  void onlyTheNextIdOfTheSameHistoryIsDeliveredLive() {
    Position at5 = new Position(5, "e1");
    assertThat(Position.step(at5, event(6, "e1"))).isEqualTo(Step.NEXT);
    assertThat(Position.step(at5, event(5, "e1"))).isEqualTo(Step.SEEN);
    assertThat(Position.step(at5, event(1, "e1"))).isEqualTo(Step.SEEN);
    assertThat(Position.step(at5, event(7, "e1"))).as("a gap").isEqualTo(Step.GAP);
    assertThat(Position.step(at5, event(6, "e2"))).as("another history").isEqualTo(Step.GAP);
    assertThat(Position.step(null, event(1, "e1"))).as("no position yet").isEqualTo(Step.GAP);
    assertThat(Position.step(new Position(5, null), event(6, "e1"))).as("an id without its epoch").isEqualTo(Step.GAP);
  }
}
