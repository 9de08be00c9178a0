package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import java.util.AbstractMap.SimpleEntry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster history's arithmetic without a cluster: the same rules as the single node's. */
class TopicLogTest {

  private static final InternalSerializationService SERIALIZATION = new DefaultSerializationServiceBuilder().build();

  @Test
  void idsAreContiguousAndTheRingKeepsTheNewest() {
    TopicLog log = new TopicLog("e1", 40);
    for (int i = 1; i <= 100; i++) {
      assertThat(log.append("k" + i, 1000 + i, "{\"n\":" + i + "}", null)).isEqualTo(i);
    }
    assertThat(log.lastId()).isEqualTo(100);
    assertThat(log.oldestId()).isEqualTo(61);
    assertThat(log.data(61)).isEqualTo("{\"n\":61}");
    assertThat(log.data(100)).isEqualTo("{\"n\":100}");
  }

  @Test
  void timestampsNeverGoBackwards() {
    TopicLog log = new TopicLog("e1", 10);
    log.append("a", 5000, "1", null);
    log.append("b", 4000, "2", null);
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
    TopicOps.Append batch = new TopicOps.Append("batch", new String[] {"1", "2", "3"}, new String[3], "e1", 10, 2000,
      0, Long.MAX_VALUE, true);
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

  private static TopicOps.Append append(String key, String data, String epoch, int capacity, long now, long maxAgeMillis,
                                        long maxBytes, boolean mayStart) {
    return new TopicOps.Append(key, new String[] {data}, new String[1], epoch, capacity, now, maxAgeMillis, maxBytes,
      mayStart);
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
      log.append("k" + i, 1000, String.valueOf(i), null);
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
      log.append("k" + i, 1000, "x".repeat(100 * i), null);
    }
    assertThat(Slice.of(log, false, 0, "e1", 10, 300, 0).data).extracting(String::length).containsExactly(100, 200);
    assertThat(Slice.of(log, false, 0, "e1", 10, 299, 0).data).extracting(String::length).containsExactly(100);
    assertThat(Slice.of(log, false, 3, "e1", 10, 1, 0).data).as("the first whatever its size")
      .extracting(String::length).containsExactly(400);
  }

  @Test
  void ageLimitsHideOldEventsOnRead() {
    TopicLog log = new TopicLog("e1", 10);
    log.append("a", 1000, "1", null);
    log.append("b", 2000, "2", null);
    Slice slice = Slice.of(log, false, 0, "e1", 10, Long.MAX_VALUE, 1500);
    assertThat(slice.oldestId).isEqualTo(2);
    assertThat(slice.data).containsExactly("2");
  }

  @Test
  void survivesSerializationAsABackupOrMigrationWouldCopyIt() {
    TopicLog log = new TopicLog("e1", 1000);
    for (int i = 1; i <= 300; i++) {
      log.append("k" + i, 1000 + i, String.valueOf(i), null);
    }
    log.append("k-bin", 2000, "\"AAE=\"", "application/octet-stream");
    Data data = SERIALIZATION.toData(log);
    TopicLog copy = SERIALIZATION.toObject(data);
    assertThat(copy.epoch()).isEqualTo("e1");
    assertThat(copy.lastId()).isEqualTo(301);
    assertThat(copy.oldestId()).isEqualTo(1);
    assertThat(copy.data(150)).isEqualTo("150");
    assertThat(copy.contentType(150)).isNull();
    assertThat(copy.find("k299")).isEqualTo(299);
    assertThat(copy.contentType(301)).isEqualTo("application/octet-stream");
    assertThat(copy.data(301)).isEqualTo("\"AAE=\"");
    copy.append("k302", 5000, "302", null);
    assertThat(copy.data(302)).isEqualTo("302");
    assertThat(copy.data(1)).isEqualTo("1");
  }
}
