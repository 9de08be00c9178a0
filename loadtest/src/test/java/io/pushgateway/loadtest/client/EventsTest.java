package io.pushgateway.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventsTest {

  @Test
  void readsTheTopicsEntryOfACursor() {
    assertThat(Events.cursorId("a:41:k3x9,b:7:k3x9", "b")).isEqualTo(7);
    assertThat(Events.cursorId("a:41", "a")).isEqualTo(41);
    assertThat(Events.cursorId("a:41:k3x9", "c")).isEqualTo(-1);
    assertThat(Events.cursorId(null, "a")).isEqualTo(-1);
  }
}
