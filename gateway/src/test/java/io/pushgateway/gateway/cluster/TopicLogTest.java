package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.pushgateway.gateway.core.PublishKeys;
import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster history's arithmetic without a cluster: the same rules as the single node's. */
class TopicLogTest {

  private static final InternalSerializationService SERIALIZATION = new DefaultSerializationServiceBuilder().build();

  @Test
  void idsAreContiguousAndTheRingKeepsTheNewest() {
    TopicLog log = new TopicLog("e1", 40);
    for (int i = 1; i <= 100; i++) {
      assertThat(log.append(1000 + i, "{\"n\":" + i + "}", null, "k" + i)).isEqualTo(i);
    }
    assertThat(log.lastId()).isEqualTo(100);
    assertThat(log.oldestId()).isEqualTo(61);
    assertThat(log.data(61)).isEqualTo("{\"n\":61}");
    assertThat(log.data(100)).isEqualTo("{\"n\":100}");
  }

  @Test
  void timestampsNeverGoBackwards() {
    TopicLog log = new TopicLog("e1", 10);
    log.append(5000, "1", null, "a");
    log.append(4000, "2", null, "b");
    assertThat(log.ts(2)).isEqualTo(5000);
  }

  @Test
  void aRetriedAppendFindsItselfInsteadOfAddingACopy() {
    Map.Entry<String, TopicLog> entry = new SimpleEntry<>("t", null);
    TopicOps.Appended first = append("key-1", "1", "e1", 10, 1000, 0, Long.MAX_VALUE, true).process(entry);
    TopicOps.Appended retry = append("key-1", "1", "e2", 10, 1001, 0, Long.MAX_VALUE, true).process(entry);
    assertThat(retry.id).isEqualTo(first.id).isEqualTo(1);
    assertThat(retry.epoch).isEqualTo("e1");
    assertThat(entry.getValue().lastId()).isEqualTo(1);
  }

  @Test
  void aBatchIsAppendedInOrderAndItsRetryGetsTheSameIdsBehindLaterAppends() {
    Map.Entry<String, TopicLog> entry = new SimpleEntry<>("t", null);
    append("k0", "0", "e1", 10, 1000, 0, Long.MAX_VALUE, true).process(entry);
    TopicOps.Append batch = new TopicOps.Append("batch", new String[] {"1", "2", "3"}, new String[3], null, "e1", 10, 2000,
      0, Long.MAX_VALUE, 0, true);
    TopicOps.Appended first = batch.process(entry);
    assertThat(first.id).isEqualTo(2);
    assertThat(first.ts).isEqualTo(2000);
    assertThat(entry.getValue().data(4)).isEqualTo("3");
    // another node's batches come in between; the retry still finds its own
    append("k5", "5", "e1", 10, 2001, 0, Long.MAX_VALUE, true).process(entry);
    TopicOps.Appended retry = batch.process(entry);
    assertThat(retry.id).isEqualTo(2);
    assertThat(retry.ts).isEqualTo(2000);
    assertThat(entry.getValue().lastId()).isEqualTo(5);
  }

  /**
   * A batch whose events carry idempotency keys: repeats of kept keys and of its own earlier events
   * are not stored, a key of other data is refused, and a retry of the batch (its owner died before
   * answering) gets the very same answer, event by event, behind later appends.
   */
  @Test
  void aBatchWithKeysStoresEachKeyOnceAndItsRetryGetsTheSameAnswer() {
    Map.Entry<String, TopicLog> entry = new SimpleEntry<>("t", null);
    new TopicOps.Append("b0", new String[] {"0"}, new String[1], new String[] {"k0"}, "e1", 10, 1000, 0,
      Long.MAX_VALUE, 0, true).process(entry);
    TopicOps.Append batch = new TopicOps.Append("b1", new String[] {"1", "0", "2", "1", "x", "3"}, new String[6],
      new String[] {"k1", "k0", null, "k1", "k0", "k3"}, "e1", 10, 2000, 0, Long.MAX_VALUE, 0, true);
    TopicOps.Appended first = batch.process(entry);
    assertThat(first.id).as("the first event stored").isEqualTo(2);
    assertThat(first.repeats).containsExactly(0, 1, 0, 2, TopicOps.Appended.OTHER_DATA, 0);
    assertThat(first.repeatTs[1]).isEqualTo(1000);
    assertThat(entry.getValue().lastId()).isEqualTo(4);
    assertThat(entry.getValue().data(4)).isEqualTo("3");
    new TopicOps.Append("b2", new String[] {"5"}, new String[1], null, "e1", 10, 3000, 0, Long.MAX_VALUE, 0, true)
      .process(entry);
    TopicOps.Appended retry = batch.process(entry);
    assertThat(retry.id).isEqualTo(2);
    assertThat(retry.ts).isEqualTo(2000);
    assertThat(retry.repeats).containsExactly(first.repeats);
    assertThat(entry.getValue().lastId()).as("nothing stored by the retry").isEqualTo(5);
    // a batch of repeats alone stores nothing, and so does its retry
    TopicOps.Append repeats = new TopicOps.Append("b3", new String[] {"1", "3"}, new String[2],
      new String[] {"k1", "k3"}, "e1", 10, 4000, 0, Long.MAX_VALUE, 0, true);
    assertThat(repeats.process(entry).repeats).containsExactly(2, 4);
    assertThat(repeats.process(entry).repeats).containsExactly(2, 4);
    assertThat(entry.getValue().lastId()).isEqualTo(5);
  }

  /**
   * A key outlives its event for the key window: a retry after the event left the history (a
   * history of 2 here) gets the event's id and time, other data under the key is refused, and
   * past the window the key is free. The remembered keys travel with a backup's copy.
   */
  @Test
  void aKeyOutlivesItsEventForTheKeyWindowAndTravelsWithACopy() {
    Map.Entry<String, TopicLog> entry = new SimpleEntry<>("t", null);
    keyed("b1", "k1", "1", 1000).process(entry);
    keyed("b2", null, "2", 1001).process(entry);
    keyed("b3", null, "3", 1002).process(entry);
    assertThat(entry.getValue().oldestId()).as("event 1 left").isEqualTo(2);
    TopicLog copy = SERIALIZATION.toObject(SERIALIZATION.toData(entry.getValue()));
    for (TopicLog log : List.of(entry.getValue(), copy)) {
      Map.Entry<String, TopicLog> each = new SimpleEntry<>("t", log);
      TopicOps.Appended retry = keyed("r1", "k1", "1", 60_000).process(each);
      assertThat(retry.repeats).containsExactly(1);
      assertThat(retry.repeatTs).containsExactly(1000);
      assertThat(keyed("r2", "k1", "other", 60_000).process(each).repeats).containsExactly(TopicOps.Appended.OTHER_DATA);
      assertThat(log.lastId()).as("nothing stored").isEqualTo(3);
      TopicOps.Appended late = keyed("r3", "k1", "1", 61_001).process(each);
      assertThat(late.repeats).as("past the window: stored anew").isNull();
      assertThat(late.id).isEqualTo(4);
    }
  }

  /** The byte bound forgets remembered keys before it drops an event. */
  @Test
  void theByteBoundForgetsRememberedKeysBeforeEvents() {
    TopicLog log = new TopicLog("e1", 2);
    log.keepKeys(60_000, 1000);
    for (int i = 1; i <= 5; i++) {
      log.append(1000 + i, String.valueOf(i), null, "k" + i);
    }
    long twoEvents = log.weight() - 3 * PublishKeys.retiredHeapBytes("k1");
    assertThat(log.keyWeight()).isEqualTo(3 * PublishKeys.retiredHeapBytes("k1"));
    assertThat(log.earlier("k1", "1", null)).isEqualTo(new TopicLog.Earlier(1, 1001));
    log.dropWhileOver(twoEvents + PublishKeys.retiredHeapBytes("k1"));
    assertThat(log.size()).isEqualTo(2);
    assertThat(log.earlier("k1", "1", null)).as("the oldest forgotten").isNull();
    assertThat(log.earlier("k3", "3", null)).isEqualTo(new TopicLog.Earlier(3, 1003));
    // the total budget's cut of keys alone
    assertThat(new TopicOps.Trim(true).process(new SimpleEntry<>("t", log))).isEqualTo(twoEvents);
    assertThat(log.earlier("k3", "3", null)).isNull();
    assertThat(log.earlier("k5", "5", null)).isEqualTo(new TopicLog.Earlier(5, 1005));
  }

  private static TopicOps.Append keyed(String appendKey, String publishKey, String data, long now) {
    return new TopicOps.Append(appendKey, new String[] {data}, new String[1],
      publishKey == null ? null : new String[] {publishKey}, "e1", 2, now, 0, Long.MAX_VALUE, 60_000, true);
  }

  private static TopicOps.Append append(String key, String data, String epoch, int capacity, long now, long maxAgeMillis,
                                        long maxBytes, boolean mayStart) {
    return new TopicOps.Append(key, new String[] {data}, new String[1], null, epoch, capacity, now, maxAgeMillis,
      maxBytes, 0, mayStart);
  }

  @Test
  void atTheTopicLimitANewTopicIsRefusedAndNothingStoredButAnExistingOneAppends() {
    Map.Entry<String, TopicLog> entry = new SimpleEntry<>("t", null);
    assertThat(append("k1", "1", "e1", 10, 1000, 0, Long.MAX_VALUE, false).process(entry).id).isZero();
    assertThat(entry.getValue()).isNull();
    TopicOps.Read read = TopicOps.Read.stateOnly(0);
    assertThat(new TopicOps.Start(read, "e1", 10, false).process(entry).epoch).isEqualTo("e1");
    assertThat(entry.getValue()).isNull();
    append("k2", "1", "e1", 10, 1000, 0, Long.MAX_VALUE, true).process(entry);
    assertThat(append("k3", "2", "e2", 10, 1000, 0, Long.MAX_VALUE, false).process(entry).id).isEqualTo(2);
  }

  @Test
  void readsFollowTheCursorRules() {
    TopicLog log = new TopicLog("e1", 5);
    for (int i = 1; i <= 8; i++) {
      log.append(1000, String.valueOf(i), null, "k" + i);
    }
    // kept: 4..8
    assertThat(Slice.of(log, true, 0, null, 100, Long.MAX_VALUE, 0)).satisfies(s -> {
      assertThat(s.start).isEqualTo(8);
      assertThat(s.ts).isEmpty();
    });
    assertThat(Slice.of(log, false, 0, "e1", 100, Long.MAX_VALUE, 0)).satisfies(s -> {
      assertThat(s.reset).isFalse();
      assertThat(s.start).isEqualTo(3);
      assertThat(s.data).containsExactly("4", "5", "6", "7", "8");
    });
    assertThat(Slice.of(log, false, 6, null, 1, Long.MAX_VALUE, 0)).satisfies(s -> {
      assertThat(s.reset).isFalse();
      assertThat(s.data).containsExactly("7");
    });
    // Too old, another epoch, or in the future: an explicit reset to the oldest kept event.
    for (Slice s : new Slice[] {Slice.of(log, false, 2, "e1", 100, Long.MAX_VALUE, 0),
      Slice.of(log, false, 6, "zz", 100, Long.MAX_VALUE, 0), Slice.of(log, false, 9, "e1", 100, Long.MAX_VALUE, 0)}) {
      assertThat(s.reset).isTrue();
      assertThat(s.oldestId).isEqualTo(4);
      assertThat(s.data).containsExactly("4", "5", "6", "7", "8");
    }
  }

  @Test
  void aReadTakesNoMoreDataThanItsBytesBeyondTheFirstEvent() {
    TopicLog log = new TopicLog("e1", 10);
    for (int i = 1; i <= 5; i++) {
      log.append(1000, "x".repeat(100 * i), null, "k" + i);
    }
    assertThat(Slice.of(log, false, 0, "e1", 10, 300, 0).data).extracting(String::length).containsExactly(100, 200);
    assertThat(Slice.of(log, false, 0, "e1", 10, 299, 0).data).extracting(String::length).containsExactly(100);
    assertThat(Slice.of(log, false, 3, "e1", 10, 1, 0).data).as("the first whatever its size")
      .extracting(String::length).containsExactly(400);
  }

  @Test
  void ageLimitsHideOldEventsOnRead() {
    TopicLog log = new TopicLog("e1", 10);
    log.append(1000, "1", null, "a");
    log.append(2000, "2", null, "b");
    Slice slice = Slice.of(log, false, 0, "e1", 10, Long.MAX_VALUE, 1500);
    assertThat(slice.oldestId).isEqualTo(2);
    assertThat(slice.data).containsExactly("2");
  }

  @Test
  void survivesSerializationAsABackupOrMigrationWouldCopyIt() {
    TopicLog log = new TopicLog("e1", 1000);
    for (int i = 1; i <= 300; i++) {
      log.append(1000 + i, String.valueOf(i), null, "k" + i);
    }
    log.append(2000, "\"AAE=\"", "application/octet-stream", "k-bin");
    log.endAppend(301, new TopicLog.AppendEnd("a301", 2, new long[] {0, 7, 0}, new long[] {0, 1007, 0}));
    Data data = SERIALIZATION.toData(log);
    TopicLog copy = SERIALIZATION.toObject(data);
    assertThat(copy.epoch()).isEqualTo("e1");
    assertThat(copy.lastId()).isEqualTo(301);
    assertThat(copy.oldestId()).isEqualTo(1);
    assertThat(copy.data(150)).isEqualTo("150");
    assertThat(copy.contentType(150)).isNull();
    assertThat(copy.earlier("k299", "299", null)).isEqualTo(new TopicLog.Earlier(299, 1299));
    assertThat(copy.findAppend("a301")).isEqualTo(301);
    assertThat(copy.appendEnd(301).stored()).isEqualTo(2);
    assertThat(copy.appendEnd(301).repeats()).containsExactly(0, 7, 0);
    assertThat(copy.appendEnd(301).repeatTs()).containsExactly(0, 1007, 0);
    assertThat(copy.appendEnd(300)).isNull();
    assertThat(copy.contentType(301)).isEqualTo("application/octet-stream");
    assertThat(copy.data(301)).isEqualTo("\"AAE=\"");
    copy.append(5000, "302", null, "k302");
    assertThat(copy.data(302)).isEqualTo("302");
    assertThat(copy.data(1)).isEqualTo("1");
  }
}
