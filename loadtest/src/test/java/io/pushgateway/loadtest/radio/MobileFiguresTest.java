package io.pushgateway.loadtest.radio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.pushgateway.loadtest.net.PacketTimeline;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A synthetic timeline through the report's mobile section gives the hand-worked answer. */
class MobileFiguresTest {
  static final long S = 1_000_000_000L;

  @Test
  void oneEventAMinuteOnLte() {
    // a phone connected before the window; in the 120 s window it gets an event at 30 s and at 90 s
    PacketTimeline phone = timeline(-5 * S, 300, 30 * S, 200, 90 * S, 200);
    // a connection opened inside the window (a reconnect) is not a whole phone: left out
    PacketTimeline late = timeline(50 * S, 200);
    JsonObject m = MobileFigures.of(RadioModel.load("lte"), List.of(phone, late), 0, 120 * S, 1 / 60.0);

    assertThat(m.getInteger("sampledSubscribers")).isEqualTo(1);
    assertThat(m.getLong("promotionsPerHour")).isEqualTo(60);
    assertThat(m.getLong("packetsPerHour")).isEqualTo(60);
    // each event: (1210.7 - 31.07) mW x 0.2601 s + (1060 - 31.07) mW x 11.576 s + 200 B x 51.97 mW/Mbps x 8 nJ
    double perEvent = 0.306822 + 11.910894 + 200 * 51.97 * 8e-9;
    assertThat(m.getDouble("energyJPerHour")).isCloseTo(60 * perEvent, within(0.01));
    assertThat(m.getDouble("energyMJPerEvent")).isCloseTo(perEvent * 1000, within(0.01));
    assertThat(m.getDouble("radioActiveSecondsPerHour")).isCloseTo(60 * 11.8361, within(0.05));
    assertThat(m.getDouble("highPowerShare")).isCloseTo(60 * 11.8361 / 3600, within(1e-4));
  }

  @Test
  void noWholePhoneGivesNullFigures() {
    JsonObject m = MobileFigures.of(RadioModel.load("3g"), List.of(), 0, 10 * S, 1);
    assertThat(m.getInteger("sampledSubscribers")).isZero();
    assertThat(m.getValue("energyJPerHour")).isNull();
  }

  /** A timeline of packets down: (nanos, bytes) pairs. */
  static PacketTimeline timeline(long... atAndBytes) {
    PacketTimeline t = new PacketTimeline();
    for (int i = 0; i < atAndBytes.length; i += 2) {
      t.add(atAndBytes[i], (int) atAndBytes[i + 1], false);
    }
    return t;
  }
}
