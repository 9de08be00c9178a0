package io.pushgateway.gateway.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.pushgateway.gateway.core.HeapFootprint;
import io.pushgateway.gateway.core.IdRing;
import io.pushgateway.gateway.core.PublishKeys;
import java.io.IOException;

/**
 * One topic's history as the cluster keeps it: the value of the topics map, one entry per topic,
 * owned by the topic's partition and copied to its backups. The events sit in the same
 * {@link IdRing} as a single node's, each with the idempotency key its publisher gave it, if any,
 * and the last event of each append (a batch) with the append's own key. The history
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

  public TopicLog() {
    // for Hazelcast
  }

  TopicLog(String epoch, int capacity) {
    this.epoch = epoch;
    this.ring = new IdRing<>(capacity, Kept::heapBytes, Kept::publishKey);
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

  /** The heap the kept data takes (see {@link #ring}). */
  long weight() {
    return ring.weight();
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

  /** The kept event whose publisher gave it {@code publishKey}, or 0. */
  long findPublished(String publishKey) {
    return ring.find(publishKey);
  }

  /** The idempotency key of a kept event, or null. */
  String publishKey(long id) {
    return ring.get(id).publishKey;
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

  /** Drops the oldest events while their data holds more than {@code maxBytes}, never the newest one. */
  void dropWhileOver(long maxBytes) {
    while (ring.weight() > maxBytes && ring.size() > 1) {
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
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    int capacity = in.readInt();
    long lastId = in.readLong();
    lastTs = in.readLong();
    int count = in.readInt();
    ring = IdRing.restart(capacity, Kept::heapBytes, Kept::publishKey, lastId, count);
    for (int i = 0; i < count; i++) {
      Kept kept = new Kept(in.readLong(), in.readString(), in.readString(), in.readString());
      if (in.readBoolean()) {
        kept.end = new AppendEnd(in.readString(), in.readInt(), in.readLongArray(), in.readLongArray());
      }
      ring.append(kept);
    }
  }
}
