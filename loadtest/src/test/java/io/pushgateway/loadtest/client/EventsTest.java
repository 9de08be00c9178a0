package io.pushgateway.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.pushgateway.loadtest.stats.TransportStats;
import org.junit.jupiter.api.Test;

class EventsTest {

  @Test
  void readsTheTopicsEntryOfACursor() {
    assertThat(Events.cursorId("a:41:k3x9,b:7:k3x9", "b")).isEqualTo(7);
    assertThat(Events.cursorId("a:41", "a")).isEqualTo(41);
    assertThat(Events.cursorId("a:41:k3x9", "c")).isEqualTo(-1);
    assertThat(Events.cursorId(null, "a")).isEqualTo(-1);
  }

  @Test
  void readsEventFramesWithoutATreeAndLeavesTheRestToTheParser() {
    TransportStats stats = newStats();
    SubscriberTracker tracker = stats.newSubscriber();
    assertThat(Events.deliverFast("{\"topic\":\"a\",\"id\":7,\"ts\":1,\"data\":{\"seq\":3,\"t\":300,\"p\":\"x\"}}",
      tracker)).isTrue();
    assertThat(tracker.lastId()).isEqualTo(7);
    assertThat(stats.deliveries()).isEqualTo(1);
    assertThat(Events.deliverFast("{\"op\":\"subscribed\",\"topic\":\"a\",\"id\":0,\"epoch\":\"e\"}", tracker))
      .isFalse();
    assertThat(Events.deliverFast("{\"op\":\"ack\",\"id\":3,\"data\":{\"seq\":1,\"t\":2}}", tracker)).isFalse();
    assertThat(Events.deliverFast("{\"topic\":\"a\",\"id\":8,\"data\":{\"t\":1,\"seq\":4}}", tracker)).isFalse();
  }

  @Test
  void readsPeersMessagesWithoutATreeWhereTheDataLeads() {
    TransportStats stats = newStats();
    SubscriberTracker tracker = stats.newSubscriber();
    assertThat(Events.deliverPeerFast("{\"seq\":1,\"t\":300,\"p\":\"x\"}", 0, tracker)).isTrue();
    assertThat(Events.deliverPeerFast("[\"event\",{\"seq\":2,\"t\":400,\"p\":\"x\"}]", 9, tracker)).isTrue();
    assertThat(stats.deliveries()).isEqualTo(2);
    assertThat(Events.deliverPeerFast("{\"t\":1,\"seq\":3}", 0, tracker)).isFalse();
    assertThat(Events.deliverPeerFast("{\"seq\":\"3\",\"t\":1}", 0, tracker)).isFalse();
    assertThat(Events.deliverPeerFast("{\"seq\":3,\"t\":}", 0, tracker)).isFalse();
    assertThat(stats.deliveries()).isEqualTo(2);
  }

  private static TransportStats newStats() {
    PublishSchedule schedule = new PublishSchedule(10, 0, 1);
    schedule.begin(System.nanoTime());
    return new TransportStats("ws", schedule);
  }
}
