package io.pushgateway.gateway.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.pushgateway.gateway.core.HeapFootprint;
import io.pushgateway.gateway.core.IdRing;
import java.io.IOException;

/**
 * One topic's history as the cluster keeps it: the value of the topics map, one entry per topic,
 * owned by the topic's partition and copied to its backups. The events sit in the same
 * {@link IdRing} as a single node's; each carries the key of the publish that made it. The history
 * carries its own epoch, so the epoch lives exactly as long as some copy of the history does, and
 * a history that starts afresh (every copy lost) gets a new one.
 *
 * <p>Touched only by the entry processors of {@link TopicOps}, on the partition's own thread, so it
 * needs no locks.
 */
public final class TopicLog implements DataSerializable {

  /** How many of the newest appends (batches) are checked for a retried publish (see {@link #find}). */
  private static final int DEDUP_WINDOW = 16;

  /** One kept event: when it was accepted, its data JSON and content type, and the key of its publish. */
  private record Kept(long ts, String data, String contentType, String key) {
    /** Data JSON and base64 are ASCII or nearly: a character is about a byte of heap. */
    long heapBytes() {
      return HeapFootprint.ofBytes(data.length());
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
    this.ring = new IdRing<>(capacity, Kept::heapBytes);
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
    while (id <= ring.lastId() && ring.get(id).ts() < cutoffTs) {
      id++;
    }
    return id;
  }

  /**
   * The id of a recent append made with {@code key}, or 0. A publish whose partition owner died
   * before answering is retried by Hazelcast on the new owner, which may already hold it from the
   * backup: the retry must get the same id, not a second copy. Only a batch's last event carries
   * its key, so the window counts appends (batches), not events.
   */
  long find(String key) {
    int keyed = 0;
    for (long id = ring.lastId(); id >= ring.oldestId() && keyed < DEDUP_WINDOW; id--) {
      String kept = ring.get(id).key();
      if (kept != null) {
        if (kept.equals(key)) {
          return id;
        }
        keyed++;
      }
    }
    return 0;
  }

  long ts(long id) {
    return ring.get(id).ts();
  }

  String data(long id) {
    return ring.get(id).data();
  }

  /** Null for JSON data. */
  String contentType(long id) {
    return ring.get(id).contentType();
  }

  /** Appends the next event; its timestamp never goes backwards. Returns its id. */
  long append(String key, long nowMillis, String dataJson, String contentType) {
    lastTs = Math.max(lastTs, nowMillis);
    return ring.append(new Kept(lastTs, dataJson, contentType, key));
  }

  /** Drops kept events older than {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    ring.dropOldestWhile(kept -> kept.ts() < cutoffTs);
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
      out.writeLong(kept.ts());
      out.writeString(kept.data());
      out.writeString(kept.contentType());
      out.writeString(kept.key());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    int capacity = in.readInt();
    long lastId = in.readLong();
    lastTs = in.readLong();
    int count = in.readInt();
    ring = IdRing.restart(capacity, Kept::heapBytes, lastId, count);
    for (int i = 0; i < count; i++) {
      ring.append(new Kept(in.readLong(), in.readString(), in.readString(), in.readString()));
    }
  }
}
