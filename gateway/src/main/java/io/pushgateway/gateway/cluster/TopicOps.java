package io.pushgateway.gateway.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.IMap;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.projection.Projection;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

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
   * Appends a batch of events in order, one round trip and one backup for all of them, starting
   * the topic's history (with {@code epoch}) if it has none and {@code mayStart} (the cluster
   * holds fewer than its topic limit); else answers id 0. An event whose idempotency key the
   * history keeps is not stored again (as on a single node, one event after the other). The
   * batch's own key is kept with the last event it stored: a retry (its owner died before
   * answering) that finds it stores nothing and gets the same answer.
   */
  public static final class Append implements EntryProcessor<String, TopicLog, Appended>, DataSerializable {

    private String key;
    private String[] data;
    private String[] contentTypes;
    /** Each event's idempotency key or null; null when none has one. */
    private String[] publishKeys;
    private String epoch;
    private int capacity;
    private long now;
    private long maxAgeMillis;
    private long maxBytes;
    private long keyWindowMillis;
    private boolean mayStart;

    public Append() {
      // for Hazelcast
    }

    /** {@code contentTypes[i]}: null for JSON data; {@code publishKeys}: null when no event has a key. */
    Append(String key, String[] data, String[] contentTypes, String[] publishKeys, String epoch, int capacity,
           long now, long maxAgeMillis, long maxBytes, long keyWindowMillis, boolean mayStart) {
      this.maxBytes = maxBytes;
      this.keyWindowMillis = keyWindowMillis;
      this.key = key;
      this.data = data;
      this.contentTypes = contentTypes;
      this.publishKeys = publishKeys;
      this.epoch = epoch;
      this.capacity = capacity;
      this.now = now;
      this.maxAgeMillis = maxAgeMillis;
      this.mayStart = mayStart;
    }

    @Override
    public Appended process(Map.Entry<String, TopicLog> entry) {
      if (entry.getValue() == null && !mayStart) {
        return new Appended(0, 0, null, 0, null, null);
      }
      TopicLog log = entry.getValue() == null ? new TopicLog(epoch, capacity) : entry.getValue();
      long last = log.findAppend(key);
      if (last != 0) {
        TopicLog.AppendEnd end = log.appendEnd(last);
        return new Appended(last - end.stored() + 1, log.ts(last), log.epoch(), log.size(), end.repeats(),
          end.repeatTs());
      }
      log.keepKeys(keyWindowMillis, now);
      int stored = 0;
      long[] repeats = null;
      long[] repeatTs = null;
      for (int i = 0; i < data.length; i++) {
        TopicLog.Earlier earlier = publishKey(i) == null ? null : log.earlier(publishKey(i), data[i], contentTypes[i]);
        if (earlier == null) {
          last = log.append(now, data[i], contentTypes[i], publishKey(i));
          stored++;
          continue;
        }
        if (repeats == null) {
          repeats = new long[data.length];
          repeatTs = new long[data.length];
        }
        repeats[i] = earlier.id();
        repeatTs[i] = earlier.ts();
      }
      if (stored > 0) {
        log.endAppend(last, new TopicLog.AppendEnd(key, stored, repeats, repeatTs));
      }
      if (maxAgeMillis > 0) {
        log.dropOlderThan(now - maxAgeMillis);
      }
      log.dropWhileOver(maxBytes);
      entry.setValue(log);
      // one timestamp for the batch: appended at once, and timestamps never go backwards
      return new Appended(last - stored + 1, stored == 0 ? 0 : log.ts(last), log.epoch(), log.size(), repeats,
        repeatTs);
    }

    /** The event's idempotency key, or null. */
    String publishKey(int i) {
      return publishKeys == null ? null : publishKeys[i];
    }

    /** Events in the batch. */
    int size() {
      return data.length;
    }

    String data(int i) {
      return data[i];
    }

    String contentType(int i) {
      return contentTypes[i];
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(key);
      out.writeStringArray(data);
      out.writeStringArray(contentTypes);
      out.writeStringArray(publishKeys);
      out.writeString(epoch);
      out.writeInt(capacity);
      out.writeLong(now);
      out.writeLong(maxAgeMillis);
      out.writeLong(maxBytes);
      out.writeLong(keyWindowMillis);
      out.writeBoolean(mayStart);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      key = in.readString();
      data = in.readStringArray();
      contentTypes = in.readStringArray();
      publishKeys = in.readStringArray();
      epoch = in.readString();
      capacity = in.readInt();
      now = in.readLong();
      maxAgeMillis = in.readLong();
      maxBytes = in.readLong();
      keyWindowMillis = in.readLong();
      mayStart = in.readBoolean();
    }
  }

  /**
   * Several topics' appends in one call to the member that owns them all (as the caller saw it):
   * there each runs as its own {@link Append} on its partition, with its own backups, and the call
   * answers when all have. If an owner moved meanwhile, its append simply goes on to the new one.
   * A failed call is retried topic by topic with the same appends, whose keys keep copies out.
   */
  public static final class AppendMany implements Callable<List<Appended>>, DataSerializable, HazelcastInstanceAware {

    private String[] topics;
    private Append[] appends;
    private transient HazelcastInstance hazelcast;

    public AppendMany() {
      // for Hazelcast
    }

    AppendMany(String[] topics, Append[] appends) {
      this.topics = topics;
      this.appends = appends;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      this.hazelcast = hazelcast;
    }

    @Override
    public List<Appended> call() throws Exception {
      IMap<String, TopicLog> map = hazelcast.getMap(HazelcastEventLog.TOPICS_MAP);
      List<CompletableFuture<Appended>> stored = new ArrayList<>(topics.length);
      for (int i = 0; i < topics.length; i++) {
        stored.add(map.submitToKey(topics[i], appends[i]).toCompletableFuture());
      }
      List<Appended> answers = new ArrayList<>(topics.length); // an ArrayList: Hazelcast ships it as such
      for (CompletableFuture<Appended> answer : stored) {
        answers.add(answer.get()); // an executor thread, not a partition thread: it may wait
      }
      return answers;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeStringArray(topics);
      for (Append append : appends) {
        append.writeData(out);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      topics = in.readStringArray();
      appends = new Append[topics.length];
      for (int i = 0; i < appends.length; i++) {
        appends[i] = new Append();
        appends[i].readData(in);
      }
    }
  }

  /**
   * What an append got: the id of the first event it stored (the others follow, +1 each), their
   * timestamp, the history's epoch and how many events it keeps now; and, when some events were
   * not stored, {@code repeats}: per event 0 (stored now), the id of the kept event whose
   * idempotency key it repeats (with its timestamp in {@code repeatTs}) or {@link #OTHER_DATA}.
   */
  public static final class Appended implements DataSerializable {

    /** Its key names a kept event of other data: refused. */
    static final long OTHER_DATA = -1;

    long id;
    long ts;
    String epoch;
    int kept;
    long[] repeats;
    long[] repeatTs;

    public Appended() {
      // for Hazelcast
    }

    Appended(long id, long ts, String epoch, int kept, long[] repeats, long[] repeatTs) {
      this.id = id;
      this.ts = ts;
      this.epoch = epoch;
      this.kept = kept;
      this.repeats = repeats;
      this.repeatTs = repeatTs;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(id);
      out.writeLong(ts);
      out.writeString(epoch);
      out.writeInt(kept);
      out.writeLongArray(repeats);
      out.writeLongArray(repeatTs);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      id = in.readLong();
      ts = in.readLong();
      epoch = in.readString();
      kept = in.readInt();
      repeats = in.readLongArray();
      repeatTs = in.readLongArray();
    }
  }

  /** Reads after a position; answers null for a topic without history (nothing is created). */
  public static class Read implements EntryProcessor<String, TopicLog, Slice>, ReadOnly, DataSerializable {

    boolean fromNow;
    long after;
    String epoch;
    int limit;
    long maxBytes;
    long cutoffTs;
    /** The newest event alone (ReadRequest.newestOnly). */
    boolean newestOnly;

    public Read() {
      // for Hazelcast
    }

    /** A read of no events: a topic's state, a probe or a touch. */
    static Read stateOnly(long cutoffTs) {
      return new Read(true, 0, null, 0, 0, cutoffTs, false);
    }

    Read(boolean fromNow, long after, String epoch, int limit, long maxBytes, long cutoffTs, boolean newestOnly) {
      this.fromNow = fromNow;
      this.after = after;
      this.epoch = epoch;
      this.limit = limit;
      this.maxBytes = maxBytes;
      this.cutoffTs = cutoffTs;
      this.newestOnly = newestOnly;
    }

    @Override
    public Slice process(Map.Entry<String, TopicLog> entry) {
      return entry.getValue() == null ? null
        : Slice.of(entry.getValue(), fromNow, after, epoch, limit, maxBytes, cutoffTs, newestOnly);
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
      out.writeLong(maxBytes);
      out.writeLong(cutoffTs);
      out.writeBoolean(newestOnly);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      fromNow = in.readBoolean();
      after = in.readLong();
      epoch = in.readString();
      limit = in.readInt();
      maxBytes = in.readLong();
      cutoffTs = in.readLong();
      newestOnly = in.readBoolean();
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
      return Slice.of(log, read.fromNow, read.after, read.epoch, read.limit, read.maxBytes, read.cutoffTs,
        read.newestOnly);
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

  /**
   * Each topic's kept weight and last append time, for the cluster's total budget
   * ({@link HistoryBudget}). A projection, not an entry processor: a query does not count as an
   * access, so weighing never keeps an idle topic alive.
   */
  public static final class Weigh implements Projection<Map.Entry<String, TopicLog>, TopicWeight>, DataSerializable {

    public Weigh() {
      // for Hazelcast
    }

    @Override
    public TopicWeight transform(Map.Entry<String, TopicLog> entry) {
      TopicLog log = entry.getValue();
      return log == null ? null
        : new TopicWeight(entry.getKey(), log.weight(), log.keyWeight(), log.lastTs(), log.size());
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /** A topic's weight as {@link Weigh} found it. */
  public static final class TopicWeight implements DataSerializable {
    String topic;
    /** Everything it holds: events and remembered keys. */
    long bytes;
    /** The remembered keys of events that left, a part of {@code bytes}. */
    long keyBytes;
    long lastTs;
    int events;

    public TopicWeight() {
      // for Hazelcast
    }

    TopicWeight(String topic, long bytes, long keyBytes, long lastTs, int events) {
      this.topic = topic;
      this.bytes = bytes;
      this.keyBytes = keyBytes;
      this.lastTs = lastTs;
      this.events = events;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(topic);
      out.writeLong(bytes);
      out.writeLong(keyBytes);
      out.writeLong(lastTs);
      out.writeInt(events);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      topic = in.readString();
      bytes = in.readLong();
      keyBytes = in.readLong();
      lastTs = in.readLong();
      events = in.readInt();
    }
  }

  /**
   * Cuts a topic down for the total budget: forgets the keys it remembers of events that left, and
   * unless {@code keysOnly}, drops all its events but the newest; answers the weight left.
   */
  public static final class Trim implements EntryProcessor<String, TopicLog, Long>, DataSerializable {

    private boolean keysOnly;

    public Trim() {
      // for Hazelcast
    }

    Trim(boolean keysOnly) {
      this.keysOnly = keysOnly;
    }

    @Override
    public Long process(Map.Entry<String, TopicLog> entry) {
      TopicLog log = entry.getValue();
      if (log == null) {
        return 0L;
      }
      log.dropWhileOver(keysOnly ? log.weight() - log.keyWeight() : 0);
      entry.setValue(log);
      return log.weight();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(keysOnly);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      keysOnly = in.readBoolean();
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
