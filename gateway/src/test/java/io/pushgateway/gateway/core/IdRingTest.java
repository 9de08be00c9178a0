package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring both histories keep: contiguous ids, the newest kept, growth that keeps every slot right. */
class IdRingTest {

  @Test
  void keepsTheNewestUpToItsCapacityAcrossGrowthAndWrapping() {
    // 40 is not a power of two: the array grows 16, 32, 40, and wraps at 40
    IdRing<String> ring = new IdRing<>(40);
    for (int i = 1; i <= 100; i++) {
      assertThat(ring.append("e" + i)).isEqualTo(i);
      long oldest = Math.max(1, i - 39);
      assertThat(ring.oldestId()).isEqualTo(oldest);
      for (long id = oldest; id <= i; id++) {
        assertThat(ring.get(id)).isEqualTo("e" + id);
      }
    }
    assertThat(ring.size()).isEqualTo(40);
  }

  @Test
  void anEmptyRingHasNothingKept() {
    IdRing<String> ring = new IdRing<>(5);
    assertThat(ring.lastId()).isZero();
    assertThat(ring.oldestId()).isEqualTo(1);
    assertThat(ring.size()).isZero();
    assertThatThrownBy(() -> ring.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anIdOutsideTheKeptRangeIsRefusedRatherThanAnsweredWithAnotherEntry() {
    IdRing<String> ring = new IdRing<>(4);
    for (int i = 1; i <= 6; i++) {
      ring.append("e" + i);
    }
    assertThatThrownBy(() -> ring.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ring.get(7)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(ring.get(3)).isEqualTo("e3");
  }

  @Test
  void dropsTheOldestWhileThePredicateHoldsAndKeepsIdsGoing() {
    IdRing<Integer> ring = new IdRing<>(10);
    for (int i = 1; i <= 8; i++) {
      ring.append(i * 100);
    }
    ring.dropOldestWhile(value -> value < 450);
    assertThat(ring.oldestId()).isEqualTo(5);
    assertThat(ring.size()).isEqualTo(4);
    ring.dropOldestWhile(value -> true);
    assertThat(ring.size()).isZero();
    assertThat(ring.oldestId()).isEqualTo(9);
    assertThat(ring.append(900)).isEqualTo(9);
    assertThat(ring.get(9)).isEqualTo(900);
  }

  @Test
  void aRestartedRingContinuesTheIdsOfTheOneItReplaces() {
    IdRing<String> ring = IdRing.restart(1000, String::length, 500, 3);
    ring.append("a");
    ring.append("b");
    ring.append("c");
    assertThat(ring.oldestId()).isEqualTo(498);
    assertThat(ring.get(500)).isEqualTo("c");
    assertThat(ring.append("d")).isEqualTo(501);
    assertThat(ring.weight()).isEqualTo(4);
  }

  @Test
  void itsWeightIsWhatItKeepsThroughOverwritesAndDrops() {
    IdRing<String> ring = new IdRing<>(3, String::length);
    ring.append("a");
    ring.append("bb");
    ring.append("ccc");
    assertThat(ring.weight()).isEqualTo(6);
    ring.append("dddd"); // full: "a" leaves
    assertThat(ring.weight()).isEqualTo(9);
    ring.dropOldest();
    assertThat(ring.weight()).isEqualTo(7);
    ring.dropOldestWhile(entry -> true);
    assertThat(ring.weight()).isZero();
  }

  /**
   * Entries with a key ("k:…" here) are found by it while kept, and not once dropped or
   * overwritten; each keyed entry dropped is told of, with its id, for its key to outlive it.
   */
  @Test
  void keyedEntriesAreFoundWhileKept() {
    List<String> dropped = new ArrayList<>();
    IdRing<String> ring = new IdRing<>(3, String::length, entry -> entry.startsWith("k:") ? entry : null,
      (key, id, entry) -> dropped.add(id + "=" + key));
    ring.append("k:a");
    ring.append("plain");
    ring.append("k:b");
    assertThat(ring.find("k:a")).isEqualTo(1);
    assertThat(ring.find("k:b")).isEqualTo(3);
    assertThat(ring.find("plain")).as("an entry without a key").isZero();
    ring.append("k:c"); // full: "k:a" leaves
    assertThat(ring.find("k:a")).isZero();
    assertThat(ring.find("k:c")).isEqualTo(4);
    ring.dropOldestWhile(entry -> !entry.equals("k:c"));
    assertThat(ring.find("k:b")).isZero();
    assertThat(ring.find("k:c")).isEqualTo(4);
    assertThat(dropped).as("the keyed ones, not \"plain\"").containsExactly("1=k:a", "3=k:b");
    IdRing<String> copy = IdRing.restart(3, String::length, entry -> entry.startsWith("k:") ? entry : null,
      (key, id, entry) -> { }, 4, 1);
    copy.append("k:c");
    assertThat(copy.find("k:c")).as("a ring refilled from its copy indexes it again").isEqualTo(4);
  }
}
