package io.pushgateway.gateway.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.pushgateway.gateway.core.HeapFootprint;
import io.pushgateway.gateway.core.IdRing;
import io.pushgateway.gateway.core.PublishKeys;
import io.pushgateway.gateway.core.RetiredKeys;
import java.io.IOException;
import java.util.Objects;

/**
 * One topic's history as the cluster keeps it: the value of the topics map, one entry per topic,
 * owned by the topic's partition and copied to its backups. The events sit in the same
 * {@link IdRing} as a single node's, each with the idempotency key its publisher gave it, if any,
 * and the last event of each append (a batch) with the append's own key; the keys of events that
 * left are remembered for the key window ({@link RetiredKeys}), as on a single node. The history
 * carries its own epoch, so the epoch lives exactly as long as some copy of the history does, and
 * a history that starts afresh (every copy lost) gets a new one.
 *
 * <p>Touched only by the entry processors of {@link TopicOps}, on the partition's own thread, so it
 * needs no locks.
 */
public final class TopicLog implements DataSerializable {

  /** How many of the newest appends (batches) are checked for a retried publish (see {@link #find}). */
  private static final int DEDUP_WINDOW = 16;

  /**
   * What an append (a batch) stored and answered, kept with the last event it stored, so that its
   * retry finds it: its key, how many events it stored, and, when some of its events were not
   * stored, what each got ({@link TopicOps.Appended#repeats}).
   */
  record AppendEnd(String appendKey, int stored, long[] repeats, long[] repeatTs) {
  }

  /**
   * One kept event: when it was accepted, its data JSON and content type, its publisher's
   * idempotency key; the last event an append stored carries the append's {@link AppendEnd}.
   */
  private static final class Kept {
    final long ts;
    final String data;
    final String contentType;
    final String publishKey;
    AppendEnd end;

    Kept(long ts, String data, String contentType, String publishKey) {
      this.ts = ts;
      this.data = data;
      this.contentType = contentType;
      this.publishKey = publishKey;
    }

    /** Data JSON and base64 are ASCII or nearly: a character is about a byte of heap. */
    long heapBytes() {
      return HeapFootprint.ofBytes(data.length()) + PublishKeys.heapBytes(publishKey);
    }

    String publishKey() {
      return publishKey;
    }
  }

  private String epoch;
  private long lastTs;
  /** Weighed by the heap each event's data takes ({@link HeapFootprint}). */
  private IdRing<Kept> ring;
  /** How long the key of an event that left is remembered after the event was accepted; set by each append. */
  private long keyWindowMillis;
  /** Made when the first keyed event leaves within the key window. */
  private RetiredKeys retired;

  public TopicLog() {
    // for Hazelcast
  }

  TopicLog(String epoch, int capacity) {
    this.epoch = epoch;
    this.ring = new IdRing<>(capacity, Kept::heapBytes, Kept::publishKey, this::retire);
  }

  private void retire(String publishKey, long id, Kept kept) {
    if (keyWindowMillis == 0) {
      return;
    }
    if (retired == null) {
      retired = new RetiredKeys();
    }
    retired.retire(publishKey, id, kept.ts, PublishKeys.fingerprint(kept.contentType, kept.data));
  }

  String epoch() {
    return epoch;
  }

  long lastId() {
    return ring.lastId();
  }

  /** The oldest id kept, {@code lastId + 1} when nothing is. */
  long oldestId() {
    return ring.oldestId();
  }

  /** The heap the kept data (see {@link #ring}) and the remembered keys take. */
  long weight() {
    return ring.weight() + keyWeight();
  }

  /** The heap the remembered keys of events that left take. */
  long keyWeight() {
    return retired == null ? 0 : retired.weight();
  }

  /** When the newest event was accepted. */
  long lastTs() {
    return lastTs;
  }

  /** The number of events kept. */
  int size() {
    return ring.size();
  }

  /** The oldest id kept that is not older than {@code cutoffTs}: age limits apply on read, too. */
  long oldestId(long cutoffTs) {
    long id = ring.oldestId();
    while (id <= ring.lastId() && ring.get(id).ts < cutoffTs) {
      id++;
    }
    return id;
  }

  /**
   * The id of the last event a recent append made with {@code appendKey} stored, or 0. A publish
   * whose partition owner died before answering is retried by Hazelcast on the new owner, which may
   * already hold it from the backup: the retry must get the same ids, not second copies. Only an
   * append's last event carries its key, so the window counts appends (batches), not events.
   */
  long findAppend(String appendKey) {
    int keyed = 0;
    for (long id = ring.lastId(); id >= ring.oldestId() && keyed < DEDUP_WINDOW; id--) {
      AppendEnd end = ring.get(id).end;
      if (end != null) {
        if (end.appendKey().equals(appendKey)) {
          return id;
        }
        keyed++;
      }
    }
    return 0;
  }

  /** What the append whose last event is {@code id} ({@link #findAppend}) stored and answered. */
  AppendEnd appendEnd(long id) {
    return ring.get(id).end;
  }

  /** The event a publish repeats: its id and time, or {@link TopicOps.Appended#OTHER_DATA} and 0. */
  record Earlier(long id, long ts) {
  }

  /**
   * The event a publish of {@code publishKey} repeats, kept or remembered ({@link RetiredKeys}),
   * id {@link TopicOps.Appended#OTHER_DATA} if that event's data differs; null for a key not seen.
   */
  Earlier earlier(String publishKey, String data, String contentType) {
    long id = ring.find(publishKey);
    if (id != 0) {
      Kept kept = ring.get(id);
      return kept.data.equals(data) && Objects.equals(kept.contentType, contentType)
        ? new Earlier(id, kept.ts) : new Earlier(TopicOps.Appended.OTHER_DATA, 0);
    }
    RetiredKeys.Retired gone = retired == null ? null : retired.find(publishKey);
    if (gone == null) {
      return null;
    }
    return gone.fingerprint() == PublishKeys.fingerprint(contentType, data)
      ? new Earlier(gone.id(), gone.ts()) : new Earlier(TopicOps.Appended.OTHER_DATA, 0);
  }

  /**
   * Remembers the key of each event that leaves until {@code keyWindowMillis} after the event was
   * accepted (0: not at all), and forgets those older than that at {@code nowMillis}.
   */
  void keepKeys(long keyWindowMillis, long nowMillis) {
    this.keyWindowMillis = keyWindowMillis;
    if (retired != null) {
      retired.forgetOlderThan(keyWindowMillis == 0 ? Long.MAX_VALUE : nowMillis - keyWindowMillis);
    }
  }

  long ts(long id) {
    return ring.get(id).ts;
  }

  String data(long id) {
    return ring.get(id).data;
  }

  /** Null for JSON data. */
  String contentType(long id) {
    return ring.get(id).contentType;
  }

  /** Appends the next event; its timestamp never goes backwards. Returns its id. */
  long append(long nowMillis, String dataJson, String contentType, String publishKey) {
    lastTs = Math.max(lastTs, nowMillis);
    return ring.append(new Kept(lastTs, dataJson, contentType, publishKey));
  }

  /** Marks {@code id} as the last event the append {@code end} tells of stored. */
  void endAppend(long id, AppendEnd end) {
    ring.get(id).end = end;
  }

  /** Drops kept events older than {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    ring.dropOldestWhile(kept -> kept.ts < cutoffTs);
  }

  /**
   * While more than {@code maxBytes} are held, forgets the keys of events that left, oldest first,
   * then drops the oldest events, never the newest one.
   */
  void dropWhileOver(long maxBytes) {
    while (weight() > maxBytes) {
      if (retired != null && retired.forgetOldest()) {
        continue;
      }
      if (ring.size() <= 1) {
        return;
      }
      ring.dropOldest();
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeInt(ring.capacity());
    out.writeLong(ring.lastId());
    out.writeLong(lastTs);
    out.writeInt(ring.size());
    for (long id = ring.oldestId(); id <= ring.lastId(); id++) {
      Kept kept = ring.get(id);
      out.writeLong(kept.ts);
      out.writeString(kept.data);
      out.writeString(kept.contentType);
      out.writeString(kept.publishKey);
      out.writeBoolean(kept.end != null);
      if (kept.end != null) {
        out.writeString(kept.end.appendKey());
        out.writeInt(kept.end.stored());
        out.writeLongArray(kept.end.repeats());
        out.writeLongArray(kept.end.repeatTs());
      }
    }
    out.writeLong(keyWindowMillis);
    out.writeInt(retired == null ? 0 : retired.size());
    if (retired != null) {
      for (RetiredKeys.Retired key : retired.oldestFirst()) {
        out.writeString(key.key());
        out.writeLong(key.id());
        out.writeLong(key.ts());
        out.writeLong(key.fingerprint());
      }
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    int capacity = in.readInt();
    long lastId = in.readLong();
    lastTs = in.readLong();
    int count = in.readInt();
    ring = IdRing.restart(capacity, Kept::heapBytes, Kept::publishKey, this::retire, lastId, count);
    for (int i = 0; i < count; i++) {
      Kept kept = new Kept(in.readLong(), in.readString(), in.readString(), in.readString());
      if (in.readBoolean()) {
        kept.end = new AppendEnd(in.readString(), in.readInt(), in.readLongArray(), in.readLongArray());
      }
      ring.append(kept);
    }
    keyWindowMillis = in.readLong();
    int retiredKeys = in.readInt();
    retired = retiredKeys == 0 ? null : new RetiredKeys();
    for (int i = 0; i < retiredKeys; i++) {
      retired.retire(in.readString(), in.readLong(), in.readLong(), in.readLong());
    }
  }
}
