package io.pushgateway.gateway.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * One topic's history as the cluster keeps it: the value of the topics map, one entry per topic,
 * owned by the topic's partition and copied to its backups. It carries its own epoch, so the epoch
 * lives exactly as long as some copy of the history does, and a history that starts afresh (every
 * copy lost) gets a new one.
 *
 * <p>Touched only by the entry processors of {@link TopicOps}, on the partition's own thread, so it
 * needs no locks. Ids are contiguous: the event {@code id} sits at {@code (id - 1) % ring.length}.
 */
public final class TopicLog implements DataSerializable {

  /** How many of the newest appends are checked for a retried publish (see {@link #find}). */
  private static final int DEDUP_WINDOW = 16;

  private String epoch;
  private int capacity;
  private long lastId;
  private long lastTs;
  private int size;
  private long[] ts;
  private String[] data;
  private String[] keys;

  public TopicLog() {
    // for Hazelcast
  }

  TopicLog(String epoch, int capacity) {
    this.epoch = epoch;
    this.capacity = capacity;
    allocate(Math.min(capacity, 16));
  }

  String epoch() {
    return epoch;
  }

  long lastId() {
    return lastId;
  }

  /** The oldest id kept, {@code lastId + 1} when nothing is. */
  long oldestId() {
    return lastId - size + 1;
  }

  /** The oldest id kept that is not older than {@code cutoffTs}: age limits apply on read, too. */
  long oldestId(long cutoffTs) {
    long id = oldestId();
    while (id <= lastId && ts[slot(id)] < cutoffTs) {
      id++;
    }
    return id;
  }

  /**
   * The id of a recent append made with {@code key}, or 0. A publish whose partition owner died
   * before answering is retried by Hazelcast on the new owner, which may already hold it from the
   * backup: the retry must get the same id, not a second copy.
   */
  long find(String key) {
    for (long id = lastId; id > Math.max(oldestId() - 1, lastId - DEDUP_WINDOW); id--) {
      if (key.equals(keys[slot(id)])) {
        return id;
      }
    }
    return 0;
  }

  long ts(long id) {
    return ts[slot(id)];
  }

  String data(long id) {
    return data[slot(id)];
  }

  /** Appends the next event; its timestamp never goes backwards. Returns its id. */
  long append(String key, long nowMillis, String dataJson) {
    if (size == ts.length && ts.length < capacity) {
      grow();
    }
    lastTs = Math.max(lastTs, nowMillis);
    lastId++;
    int slot = slot(lastId);
    ts[slot] = lastTs;
    data[slot] = dataJson;
    keys[slot] = key;
    size = Math.min(size + 1, ts.length);
    return lastId;
  }

  /** Drops kept events older than {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    while (size > 0 && ts[slot(oldestId())] < cutoffTs) {
      int slot = slot(oldestId());
      data[slot] = null;
      keys[slot] = null;
      size--;
    }
  }

  private int slot(long id) {
    return (int) ((id - 1) % ts.length);
  }

  private void allocate(int length) {
    ts = new long[length];
    data = new String[length];
    keys = new String[length];
  }

  /** Re-lays the ring out for a larger array; slots depend on the array's length. */
  private void grow() {
    long[] oldTs = ts;
    String[] oldData = data;
    String[] oldKeys = keys;
    allocate(Math.min(capacity, oldTs.length * 2));
    for (long id = oldestId(); id <= lastId; id++) {
      int from = (int) ((id - 1) % oldTs.length);
      int to = slot(id);
      ts[to] = oldTs[from];
      data[to] = oldData[from];
      keys[to] = oldKeys[from];
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeInt(capacity);
    out.writeLong(lastId);
    out.writeLong(lastTs);
    out.writeInt(size);
    for (long id = oldestId(); id <= lastId; id++) {
      out.writeLong(ts(id));
      out.writeString(data(id));
      out.writeString(keys[slot(id)]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    capacity = in.readInt();
    lastId = in.readLong();
    lastTs = in.readLong();
    int kept = in.readInt();
    allocate(Math.min(capacity, Math.max(16, Integer.highestOneBit(Math.max(kept, 1)) * 2)));
    size = kept;
    for (long id = oldestId(); id <= lastId; id++) {
      int slot = slot(id);
      ts[slot] = in.readLong();
      data[slot] = in.readString();
      keys[slot] = in.readString();
    }
  }
}
