package io.pushgateway.loadtest.radio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.pushgateway.loadtest.net.PacketTimeline;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The radio models against the papers' own figures. LTE and WiFi: Huang et al., MobiSys 2012
 * (pp. 225–238), Table 3 (promotion 260.1 ms at 1,210.7 mW, tail 11,576 ms at 1,060.0 mW; WiFi
 * promotion 79.1 ms at 124.4 mW, tail 238.1 ms at 119.3 mW) and Table 4 (transfer power). 3G: Qian
 * et al., IMC 2010 (pp. 137–150; carrier 1: IDLE to DCH in 2 s, DCH tail 5 s, FACH tail 12 s, FACH
 * carries up to 540 B up and 475 B down, FACH to DCH in 1.5 s) with the powers of their MobiSys 2011
 * paper (pp. 321–334; DCH 800 mW, FACH 460 mW, promotions 550 and 700 mW, all relative to IDLE).
 * Each expected value is worked by hand from those figures.
 */
class RadioSimulationTest {
  static final RadioModel LTE = RadioModel.load("lte");
  static final RadioModel UMTS = RadioModel.load("3g");
  static final RadioModel WIFI = RadioModel.load("wifi");
  static final long S = 1_000_000_000L;

  /** LTE: a lone packet costs the promotion and the whole tail, 11.836 s of radio time and about 12.2 J. */
  @Test
  void aSingleLtePacketPaysThePromotionAndTheWholeTail() {
    RadioUsage u = RadioSimulation.over(LTE, timeline(down(10 * S, 100)), 0, 60 * S);
    assertThat(u.promotions()).isEqualTo(1);
    assertThat(u.radioActiveSeconds()).isCloseTo(0.2601 + 11.576, within(1e-9));
    assertThat(u.highPowerSeconds()).isCloseTo(11.8361, within(1e-9));
    // (1210.7 - 31.07) mW x 0.2601 s + (1060.0 - 31.07) mW x 11.576 s + 100 B x 51.97 mW/Mbps x 8 nJ
    assertThat(u.energyJ()).isCloseTo(0.306822 + 11.910894 + 0.0000416, within(1e-5));
  }

  /** Packets closer than the tail keep LTE connected all the time: an hour at the tail's power. */
  @Test
  void ltePacketsCloserThanTheTailKeepTheRadioOnAllHour() {
    RadioUsage u = RadioSimulation.hourFromWindow(LTE, timeline(down(5 * S, 100)), 0, 10 * S);
    assertThat(u.radioActiveSeconds()).isCloseTo(3600, within(1e-6));
    assertThat(u.promotions()).isZero();
    assertThat(u.energyJ()).isCloseTo(1.02893 * 3600 + 360 * 100 * 51.97 * 8e-9, within(1e-3));
  }

  /** One packet a minute: 60 promotions and 60 tails an hour, about 733 J, and the radio sleeps 80% of it. */
  @Test
  void onePacketAMinuteOnLte() {
    RadioUsage u = RadioSimulation.hourFromWindow(LTE, timeline(down(30 * S, 100)), 0, 60 * S);
    assertThat(u.promotions()).isEqualTo(60);
    assertThat(u.packets()).isEqualTo(60);
    assertThat(u.radioActiveSeconds()).isCloseTo(60 * 11.8361, within(1e-6));
    assertThat(u.energyJ()).isCloseTo(60 * 12.2177576, within(1e-3));
  }

  /** Just past the tail (every 12 s) each packet promotes again and the radio is up 98.6% of the hour. */
  @Test
  void aPeriodJustPastTheTailPromotesEveryTime() {
    RadioUsage u = RadioSimulation.hourFromWindow(LTE, timeline(down(0, 100)), 0, 12 * S);
    assertThat(u.promotions()).isEqualTo(300);
    assertThat(u.radioActiveSeconds() / 3600).isCloseTo(0.9863, within(1e-4));
  }

  /** 3G: promotion to DCH, 5 s in DCH, 12 s in FACH: 19 s and 10.62 J, 7 s of it at high power. */
  @Test
  void aSingle3gPacketGoesThroughDchAndFach() {
    RadioUsage u = RadioSimulation.over(UMTS, timeline(down(0, 100)), 0, 60 * S);
    assertThat(u.radioActiveSeconds()).isCloseTo(19, within(1e-9));
    assertThat(u.highPowerSeconds()).isCloseTo(7, within(1e-9));
    assertThat(u.energyJ()).isCloseTo(0.55 * 2 + 0.8 * 5 + 0.46 * 12 + 100 * 122.12 * 8e-9, within(1e-9));
  }

  /** A small packet in FACH stays there and restarts its timer; a big one is promoted to DCH again. */
  @Test
  void fachCarriesSmallPacketsAndPromotesBigOnes() {
    RadioUsage small = RadioSimulation.over(UMTS, timeline(down(0, 100), down(10 * S, 400)), 0, 60 * S);
    assertThat(small.promotions()).isEqualTo(1);
    assertThat(small.radioActiveSeconds()).isCloseTo(22, within(1e-9));
    assertThat(small.energyJ()).isCloseTo(1.1 + 4.0 + 0.46 * 15 + 500 * 122.12 * 8e-9, within(1e-9));

    RadioUsage big = RadioSimulation.over(UMTS, timeline(down(0, 100), down(10 * S, 1000)), 0, 60 * S);
    assertThat(big.promotions()).isEqualTo(2);
    assertThat(big.radioActiveSeconds()).isCloseTo(2 + 5 + 3 + 1.5 + 5 + 12, within(1e-9));
    assertThat(big.highPowerSeconds()).isCloseTo(2 + 5 + 1.5 + 5, within(1e-9));
    assertThat(big.energyJ()).isCloseTo(1.1 + 4.0 + 0.46 * 3 + 0.7 * 1.5 + 4.0 + 0.46 * 12 + 1100 * 122.12 * 8e-9,
      within(1e-9));
  }

  /** The FACH thresholds are per direction: 500 B fits going up (540) but not coming down (475). */
  @Test
  void fachThresholdsDependOnTheDirection() {
    RadioUsage up = RadioSimulation.over(UMTS, timeline(down(0, 100), up(10 * S, 500)), 0, 60 * S);
    RadioUsage down = RadioSimulation.over(UMTS, timeline(down(0, 100), down(10 * S, 500)), 0, 60 * S);
    assertThat(up.promotions()).isEqualTo(1);
    assertThat(down.promotions()).isEqualTo(2);
  }

  /** WiFi's tail is short: a lone packet keeps the radio up 317 ms for about 34 mJ. */
  @Test
  void wifiHasAShortTail() {
    RadioUsage u = RadioSimulation.over(WIFI, timeline(down(S, 100)), 0, 10 * S);
    assertThat(u.radioActiveSeconds()).isCloseTo(0.0791 + 0.2381, within(1e-9));
    assertThat(u.energyJ()).isCloseTo((124.4 - 13.02) * 0.0791 / 1000 + (119.3 - 13.02) * 0.2381 / 1000
      + 100 * 137.01 * 8e-9, within(1e-9));
  }

  /** Packets that arrive while the radio is being promoted wait for it; they cost no second promotion. */
  @Test
  void packetsDuringAPromotionWaitForIt() {
    RadioUsage u = RadioSimulation.over(LTE, timeline(down(0, 100), up(S / 10, 100)), 0, 60 * S);
    assertThat(u.promotions()).isEqualTo(1);
    assertThat(u.radioActiveSeconds()).isCloseTo(0.2601 + 11.576, within(1e-9));
  }

  /** The hour counts the tail a packet near the end of the window carries over the seam into the next copy. */
  @Test
  void tailsCarryOverTheSeamOfRepeatedWindows() {
    // one packet 1 s before the end of a 5 s window: every copy's packet finds the radio still up
    RadioUsage u = RadioSimulation.hourFromWindow(LTE, timeline(down(4 * S, 100)), 0, 5 * S);
    assertThat(u.promotions()).isZero();
    assertThat(u.radioActiveSeconds()).isCloseTo(3600, within(1e-6));
  }

  static long[] down(long at, int bytes) {
    return new long[] {at, bytes};
  }

  static long[] up(long at, int bytes) {
    return new long[] {at, -bytes};
  }

  static PacketTimeline.Snapshot timeline(long[]... packets) {
    List<long[]> list = new ArrayList<>(List.of(packets));
    long[] at = list.stream().mapToLong(p -> p[0]).toArray();
    int[] sizes = list.stream().mapToInt(p -> (int) p[1]).toArray();
    return PacketTimeline.Snapshot.of(at, sizes);
  }
}
