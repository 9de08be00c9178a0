package io.pushgateway.loadtest.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress line's span: every delivery collected since it was last taken, not the last second's only. */
class TransportStatsTest {

  @Test
  void aSlowDeliveryStaysInTheSpanUntilTheSpanIsTaken() {
    PublishSchedule schedule = new PublishSchedule(10, 0, 10);
    // the timetable began a second ago: event 0 was due then, event 9 is due now
    schedule.begin(System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
    TransportStats stats = new TransportStats("long", schedule);
    SubscriberTracker subscriber = stats.newSubscriber();

    subscriber.onPeerEvent(0, schedule.dueOffsetNanos(0)); // about 1,000 ms late
    stats.collect();
    subscriber.onPeerEvent(9, schedule.dueOffsetNanos(9)); // about on time
    stats.collect();

    Percentiles span = stats.takeSpanLatency();
    assertThat(span.count()).isEqualTo(2);
    assertThat(span.p99()).isGreaterThanOrEqualTo(1_000);
    assertThat(stats.takeSpanLatency().count()).isZero();
    assertThat(stats.latency().count()).isEqualTo(2);
  }
}
