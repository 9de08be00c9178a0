package io.pushgateway.gateway.core;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The newest entries of a sequence whose ids are contiguous from 1: the ring every history keeps,
 * the node's ({@link TopicHistory}) and the cluster's. Entry {@code id} sits at
 * {@code (id - 1) % length}, so a lookup by id is one division. The array starts small and doubles
 * up to the capacity, so a topic with few events costs little. It keeps the total weight of what it
 * holds (an event's bytes, say), so a byte bound is one comparison, and indexes the entries that
 * carry a key (a publish's idempotency key), so a retried publish is found in one lookup; it tells
 * its owner of each keyed entry it drops, so the key can outlive it. Not thread-safe: its owner
 * (an event loop, a partition thread) is the only one to touch it.
 *
 * @param <T> what is kept per id
 */
public final class IdRing<T> {

  private static final int INITIAL_LENGTH = 16;

  /** Told of each entry with a key that the ring drops. */
  @FunctionalInterface
  public interface KeyedDrop<T> {
    void dropped(String key, long id, T entry);
  }

  private final int capacity;
  private final ToLongFunction<? super T> weigher;
  private final Function<? super T, String> keyOf;
  private final KeyedDrop<? super T> keyedDrop;
  /** The id of each kept entry that has a key; made on the first such entry. */
  private Map<String, Long> keyed;
  private Object[] slots;
  private long lastId;
  private int size;
  private long weight;

  /** An empty ring that keeps at most {@code capacity} entries, weighing nothing. */
  public IdRing(int capacity) {
    this(capacity, entry -> 0);
  }

  /** An empty ring that keeps at most {@code capacity} entries, each weighing what {@code weigher} says. */
  public IdRing(int capacity, ToLongFunction<? super T> weigher) {
    this(capacity, weigher, entry -> null, (key, id, entry) -> { });
  }

  /**
   * The same, and entries for which {@code keyOf} gives a key can be {@link #find found} by it;
   * {@code keyedDrop} is told of each entry with a key that is dropped.
   */
  public IdRing(int capacity, ToLongFunction<? super T> weigher, Function<? super T, String> keyOf,
                KeyedDrop<? super T> keyedDrop) {
    this(capacity, weigher, keyOf, keyedDrop, 0, 0);
  }

  /**
   * A ring whose last id is {@code lastId}, with room for {@code expected} entries before it grows:
   * for a history read back from its serialized form, whose entries are then {@link #append}ed
   * after {@link #restart}.
   */
  private IdRing(int capacity, ToLongFunction<? super T> weigher, Function<? super T, String> keyOf,
                 KeyedDrop<? super T> keyedDrop, long lastId, int expected) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
    this.weigher = weigher;
    this.keyOf = keyOf;
    this.keyedDrop = keyedDrop;
    this.lastId = lastId;
    int length = INITIAL_LENGTH;
    while (length < expected && length < capacity) {
      length *= 2;
    }
    this.slots = new Object[Math.min(capacity, length)];
  }

  /**
   * A ring to refill with {@code count} entries whose ids end at {@code lastId}: append them
   * oldest first. The ids before them count as dropped.
   */
  public static <T> IdRing<T> restart(int capacity, ToLongFunction<? super T> weigher, long lastId, int count) {
    return restart(capacity, weigher, entry -> null, (key, id, entry) -> { }, lastId, count);
  }

  /** The same for a ring that indexes its entries' keys and tells {@code keyedDrop} of the keyed ones it drops. */
  public static <T> IdRing<T> restart(int capacity, ToLongFunction<? super T> weigher,
                                      Function<? super T, String> keyOf, KeyedDrop<? super T> keyedDrop,
                                      long lastId, int count) {
    return new IdRing<>(capacity, weigher, keyOf, keyedDrop, lastId - count, count);
  }

  public int capacity() {
    return capacity;
  }

  /** The newest id, 0 before the first append. */
  public long lastId() {
    return lastId;
  }

  /** The oldest id kept, {@code lastId + 1} when nothing is. */
  public long oldestId() {
    return lastId - size + 1;
  }

  public int size() {
    return size;
  }

  /** The total weight of the entries kept. */
  public long weight() {
    return weight;
  }

  /** Keeps {@code entry} as the next id, dropping the oldest when full; returns its id. */
  public long append(T entry) {
    if (size == capacity) {
      dropOldest();
    } else if (size == slots.length) {
      grow();
    }
    lastId++;
    slots[slot(lastId)] = entry;
    size++;
    weight += weigher.applyAsLong(entry);
    String key = keyOf.apply(entry);
    if (key != null) {
      if (keyed == null) {
        keyed = new HashMap<>();
      }
      keyed.put(key, lastId); // a key given twice: the newest entry stands for it
    }
    return lastId;
  }

  /** The id of the kept entry with {@code key}, the newest if several; 0 if none is kept. */
  public long find(String key) {
    Long id = keyed == null ? null : keyed.get(key);
    return id == null ? 0 : id;
  }

  /** The entry of {@code id}, which must be kept: {@code oldestId() <= id <= lastId()}. */
  @SuppressWarnings("unchecked")
  public T get(long id) {
    if (id < oldestId() || id > lastId) {
      throw new IndexOutOfBoundsException("id " + id + " is not kept (" + oldestId() + ".." + lastId + ")");
    }
    return (T) slots[slot(id)];
  }

  /** The newest entry, or null when none is kept. */
  public T newest() {
    return size == 0 ? null : get(lastId);
  }

  /** Drops the oldest entries while {@code drop} holds for them (e.g. older than an age limit). */
  public void dropOldestWhile(Predicate<T> drop) {
    while (size > 0 && drop.test(get(oldestId()))) {
      dropOldest();
    }
  }

  /** Drops the oldest entry, which must exist, and returns it. */
  public T dropOldest() {
    T oldest = get(oldestId());
    long id = oldestId();
    slots[slot(id)] = null;
    size--;
    weight -= weigher.applyAsLong(oldest);
    String key = keyOf.apply(oldest);
    if (key != null) {
      keyed.remove(key, id);
      if (keyed.isEmpty()) {
        keyed = null; // a topic that stopped using keys holds no empty map
      }
      keyedDrop.dropped(key, id, oldest);
    }
    return oldest;
  }

  private int slot(long id) {
    return (int) ((id - 1) % slots.length);
  }

  /** Re-lays the ring out for a larger array; slots depend on the array's length. */
  private void grow() {
    Object[] old = slots;
    slots = new Object[Math.min(capacity, old.length * 2)];
    for (long id = oldestId(); id <= lastId; id++) {
      slots[slot(id)] = old[(int) ((id - 1) % old.length)];
    }
  }
}
