package io.pushgateway.gateway.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.Map;

/**
 * The operations on a {@link TopicLog}, shipped to the member that owns the topic's partition and
 * run there one at a time, so ids are assigned in one place: +1, no gaps, the same everywhere.
 * Hazelcast waits for the backups before it answers (synchronous backups), so an acknowledged
 * append survives the death of its owner.
 *
 * <p>Each processor is deterministic in its fields (the caller picks the time, the epoch of a new
 * history and the append's key): a backup replays it and gets the very same result.
 */
public final class TopicOps {

  private TopicOps() {
  }

  /**
   * Appends events in order, one round trip and one backup for all of them, starting the topic's
   * history (with {@code epoch}) if it has none and {@code mayStart} (the cluster holds fewer than
   * its topic limit); else answers no ids. An event whose key is among the newest already (a
   * retry of an append whose owner died before answering) gets its id back instead of a copy.
   */
  public static final class Append implements EntryProcessor<String, TopicLog, Appended>, DataSerializable {

    private String[] keys;
    private String[] data;
    private String epoch;
    private int capacity;
    private long now;
    private long maxAgeMillis;
    private boolean mayStart;

    public Append() {
      // for Hazelcast
    }

    Append(String[] keys, String[] data, String epoch, int capacity, long now, long maxAgeMillis, boolean mayStart) {
      this.keys = keys;
      this.data = data;
      this.epoch = epoch;
      this.capacity = capacity;
      this.now = now;
      this.maxAgeMillis = maxAgeMillis;
      this.mayStart = mayStart;
    }

    @Override
    public Appended process(Map.Entry<String, TopicLog> entry) {
      if (entry.getValue() == null && !mayStart) {
        return new Appended(new long[0], new long[0], null);
      }
      TopicLog log = entry.getValue() == null ? new TopicLog(epoch, capacity) : entry.getValue();
      long[] ids = new long[keys.length];
      long[] ts = new long[keys.length];
      for (int i = 0; i < keys.length; i++) {
        long id = log.find(keys[i]);
        ids[i] = id != 0 ? id : log.append(keys[i], now, data[i]);
        ts[i] = log.ts(ids[i]);
      }
      if (maxAgeMillis > 0) {
        log.dropOlderThan(now - maxAgeMillis);
      }
      entry.setValue(log);
      return new Appended(ids, ts, log.epoch());
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeStringArray(keys);
      out.writeStringArray(data);
      out.writeString(epoch);
      out.writeInt(capacity);
      out.writeLong(now);
      out.writeLong(maxAgeMillis);
      out.writeBoolean(mayStart);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      keys = in.readStringArray();
      data = in.readStringArray();
      epoch = in.readString();
      capacity = in.readInt();
      now = in.readLong();
      maxAgeMillis = in.readLong();
      mayStart = in.readBoolean();
    }
  }

  /** What an append got: the ids and timestamps of its events (none: refused) and the history's epoch. */
  public static final class Appended implements DataSerializable {

    long[] ids;
    long[] ts;
    String epoch;

    public Appended() {
      // for Hazelcast
    }

    Appended(long[] ids, long[] ts, String epoch) {
      this.ids = ids;
      this.ts = ts;
      this.epoch = epoch;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLongArray(ids);
      out.writeLongArray(ts);
      out.writeString(epoch);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      ids = in.readLongArray();
      ts = in.readLongArray();
      epoch = in.readString();
    }
  }

  /** Reads after a position; answers null for a topic without history (nothing is created). */
  public static class Read implements EntryProcessor<String, TopicLog, Slice>, ReadOnly, DataSerializable {

    boolean fromNow;
    long after;
    String epoch;
    int limit;
    long cutoffTs;

    public Read() {
      // for Hazelcast
    }

    Read(boolean fromNow, long after, String epoch, int limit, long cutoffTs) {
      this.fromNow = fromNow;
      this.after = after;
      this.epoch = epoch;
      this.limit = limit;
      this.cutoffTs = cutoffTs;
    }

    @Override
    public Slice process(Map.Entry<String, TopicLog> entry) {
      return entry.getValue() == null ? null : Slice.of(entry.getValue(), fromNow, after, epoch, limit, cutoffTs);
    }

    @Override
    public EntryProcessor<String, TopicLog, Slice> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(fromNow);
      out.writeLong(after);
      out.writeString(epoch);
      out.writeInt(limit);
      out.writeLong(cutoffTs);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      fromNow = in.readBoolean();
      after = in.readLong();
      epoch = in.readString();
      limit = in.readInt();
      cutoffTs = in.readLong();
    }
  }

  /**
   * Reads a topic that had no history yet, first starting one (empty, with {@code newEpoch}): a
   * subscriber must get an epoch that stays the topic's epoch once events arrive. Without
   * {@code mayStart} (the cluster holds its topic limit) nothing is stored: the subscriber gets
   * {@code newEpoch}, and a reset from 1 once the topic starts.
   */
  public static final class Start implements EntryProcessor<String, TopicLog, Slice>, DataSerializable {

    private Read read;
    private String newEpoch;
    private int capacity;
    private boolean mayStart;

    public Start() {
      // for Hazelcast
    }

    Start(Read read, String newEpoch, int capacity, boolean mayStart) {
      this.read = read;
      this.newEpoch = newEpoch;
      this.capacity = capacity;
      this.mayStart = mayStart;
    }

    @Override
    public Slice process(Map.Entry<String, TopicLog> entry) {
      TopicLog log = entry.getValue();
      if (log == null) {
        log = new TopicLog(newEpoch, capacity);
        if (mayStart) {
          entry.setValue(log);
        }
      }
      return Slice.of(log, read.fromNow, read.after, read.epoch, read.limit, read.cutoffTs);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      read.writeData(out);
      out.writeString(newEpoch);
      out.writeInt(capacity);
      out.writeBoolean(mayStart);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      read = new Read();
      read.readData(in);
      newEpoch = in.readString();
      capacity = in.readInt();
      mayStart = in.readBoolean();
    }
  }

  /** Topics that have had at least one event (a subscription alone starts an empty history). */
  public static final class HasEvents implements Predicate<String, TopicLog>, DataSerializable {

    public HasEvents() {
      // for Hazelcast
    }

    @Override
    public boolean apply(Map.Entry<String, TopicLog> entry) {
      return entry.getValue() != null && entry.getValue().lastId() > 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
