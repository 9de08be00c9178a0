package io.pushgateway.gateway.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.ReadStart;
import java.io.IOException;

/**
 * One topic's answer to "events after this position", computed on the partition that owns the
 * topic: its state, whether the position had to be reset, and the events that follow. The cursor
 * rules are every log's, {@link ReadStart}: "now", {@code id 0} = everything kept, and a reset for
 * another epoch, an id past the last one, or an id that left the history.
 */
public final class Slice implements DataSerializable {

  String epoch;
  long lastId;
  long oldestId;
  boolean reset;
  /** The events are {@code start + 1 ..}. */
  long start;
  long[] ts;
  String[] data;
  /** Null entries for JSON data. */
  String[] contentTypes;

  public Slice() {
    // for Hazelcast
  }

  /** Events from the position on, as far as {@code limit} and {@code maxBytes} take them. */
  static Slice of(TopicLog log, boolean fromNow, long after, String epoch, int limit, long maxBytes, long cutoffTs) {
    return of(log, fromNow, after, epoch, limit, maxBytes, cutoffTs, false);
  }

  /**
   * @param after    the position's id, ignored when {@code fromNow}
   * @param epoch    the position's epoch, null to trust the id
   * @param maxBytes the events' data past which no more are taken, beyond the first (see ReadRequest)
   * @param cutoffTs events older than this count as gone (0: keep by count only)
   * @param newestOnly the newest event alone (ReadRequest.newestOnly)
   */
  static Slice of(TopicLog log, boolean fromNow, long after, String epoch, int limit, long maxBytes, long cutoffTs,
                  boolean newestOnly) {
    Slice slice = new Slice();
    slice.epoch = log.epoch();
    slice.lastId = log.lastId();
    slice.oldestId = cutoffTs > 0 ? log.oldestId(cutoffTs) : log.oldestId();
    ReadStart start = ReadStart.of(fromNow ? null : new Position(after, epoch), slice.lastId, slice.oldestId,
      slice.epoch, newestOnly);
    slice.reset = start.reset();
    slice.start = start.after();
    int count = withinBytes(log, slice.start, (int) Math.max(0, Math.min(slice.lastId - slice.start, limit)), maxBytes);
    slice.ts = new long[count];
    slice.data = new String[count];
    slice.contentTypes = new String[count];
    for (int i = 0; i < count; i++) {
      slice.ts[i] = log.ts(slice.start + 1 + i);
      slice.data[i] = log.data(slice.start + 1 + i);
      slice.contentTypes[i] = log.contentType(slice.start + 1 + i);
    }
    return slice;
  }

  /** How many of the {@code count} events after {@code start} the answer takes within {@code maxBytes}. */
  private static int withinBytes(TopicLog log, long start, int count, long maxBytes) {
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      bytes += log.data(start + 1 + i).length();
      if (bytes > maxBytes && i > 0) {
        return i;
      }
    }
    return count;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(lastId);
    out.writeLong(oldestId);
    out.writeBoolean(reset);
    out.writeLong(start);
    out.writeInt(ts.length);
    for (int i = 0; i < ts.length; i++) {
      out.writeLong(ts[i]);
      out.writeString(data[i]);
      out.writeString(contentTypes[i]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    lastId = in.readLong();
    oldestId = in.readLong();
    reset = in.readBoolean();
    start = in.readLong();
    int count = in.readInt();
    ts = new long[count];
    data = new String[count];
    contentTypes = new String[count];
    for (int i = 0; i < count; i++) {
      ts[i] = in.readLong();
      data[i] = in.readString();
      contentTypes[i] = in.readString();
    }
  }
}
