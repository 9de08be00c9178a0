package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.metrics.WireMeters.WireMeter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which meters the gateway forgets, on a clock the test moves. */
class WireMetersTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final WireMeters meters = new WireMeters(10, now::get);

  @Test
  void aMeterWithoutAConnectionIsForgottenAfterFiveMinutesAndAHeldOneNever() {
    WireMeter poller = meters.open("poller-key");
    poller.claim(100, 200);
    poller.release();
    WireMeter stream = meters.open("stream-key");
    stream.claim(100, 200);

    now.addAndGet(WireMeters.IDLE_NANOS - 1);
    meters.sweep();
    assertThat(meters.find("poller-key")).isSameAs(poller);

    now.addAndGet(1);
    meters.sweep();
    assertThat(meters.find("poller-key")).isNull();
    assertThat(meters.find("stream-key")).isSameAs(stream);

    stream.release();
    now.addAndGet(WireMeters.IDLE_NANOS);
    meters.sweep();
    assertThat(meters.find("stream-key")).isNull();
  }

  @Test
  void keysAreShortPlainNames() {
    assertThat(WireMeters.validKey("compare-ws-a1B2")).isTrue();
    assertThat(WireMeters.validKey("short")).isFalse();
    assertThat(WireMeters.validKey("x".repeat(65))).isFalse();
    assertThat(WireMeters.validKey("with space")).isFalse();
  }
}
