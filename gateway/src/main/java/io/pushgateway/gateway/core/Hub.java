package io.pushgateway.gateway.core;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Who listens to which topic on one event loop. Each HTTP verticle has its own hub, fed over the
 * event bus with the events of the topics it has listeners for ({@link Hubs}), so a fan-out is
 * spread over the event loops that need it and needs no locks.
 *
 * <p>Adding and removing a listener take constant time, whatever the topic's audience: long
 * polls come and go once per event each, so with N of them on a topic, copying the listener
 * list on every change would cost N² per event.
 *
 * <p>Every subscription of every transport is a listener here, so the hub is where the
 * {@link SubscriberCounts} are kept: a transport's sessions never count by hand.
 */
public final class Hub {

  /** Receives the events of the topics it was added for, in the log's order. */
  public interface Listener {
    void onEvent(Event event);

    /** A change of the topic's presence; only listeners that asked for presence act on it. */
    default void onPresence(PresenceChange change) {
    }

    /** The transport it is counted under in the subscriber counts; null: not counted. */
    default Transport transport() {
      return null;
    }
  }

  /**
   * Told before and after each dispatch, on the dispatching thread: lets an observer (the
   * metrics) tell what the listeners did for one event without taking part in the fan-out.
   */
  public interface DispatchObserver {
    void dispatching(Event event);

    void dispatched(Event event);
  }

  private static final System.Logger LOG = System.getLogger(Hub.class.getName());

  private final Map<String, Listeners> byTopic = new HashMap<>();
  /** The keys of {@link #byTopic}, for the thread that delivers events (see {@link Hubs}). */
  private final Set<String> listened = ConcurrentHashMap.newKeySet();
  private final SubscriberCounts counts;
  private long dispatched;
  /** Events sent to this hub so far; written by the delivering thread. */
  private final AtomicLong handed = new AtomicLong();

  /** A hub whose listeners are counted in {@code counts}, shared by every event loop's hub. */
  public Hub(SubscriberCounts counts) {
    this.counts = counts;
  }

  /** A hub that counts nothing. */
  public Hub() {
    this(new SubscriberCounts());
  }

  /** Adds {@code listener} to {@code topic}'s audience; adding it again changes nothing. */
  public void add(String topic, Listener listener) {
    Listeners listeners = byTopic.get(topic);
    if (listeners == null) {
      listeners = new Listeners();
      byTopic.put(topic, listeners);
      listened.add(topic);
      // Recorded before the listener looks at the log's head (see Hubs.deliver).
      VarHandle.fullFence();
    }
    if (listeners.add(listener)) {
      count(topic, listener, 1);
    }
  }

  public void remove(String topic, Listener listener) {
    Listeners listeners = byTopic.get(topic);
    if (listeners != null && listeners.remove(listener)) {
      count(topic, listener, -1);
      if (listeners.isEmpty()) {
        byTopic.remove(topic);
        listened.remove(topic);
      }
    }
  }

  /** Whether the topic has a listener here; any thread. */
  boolean listensTo(String topic) {
    return listened.contains(topic);
  }

  /** One more event is on its way to this hub; called by the delivering thread. */
  void handed() {
    handed.incrementAndGet();
  }

  /** Whether events sent to this hub wait in its event loop's queue, not yet dispatched. */
  public boolean behind() {
    return dispatched < handed.get();
  }

  private void count(String topic, Listener listener, int delta) {
    Transport transport = listener.transport();
    if (transport != null) {
      counts.add(topic, transport, delta);
    }
  }

  /**
   * Hands the event to every listener; one failing listener never starves the others. A listener
   * added meanwhile gets the next event, not this one; one removed meanwhile gets no more.
   */
  public void dispatch(Event event) {
    dispatched++;
    Listeners listeners = byTopic.get(event.topic());
    if (listeners != null) {
      fanOut(event.topic(), listeners, listener -> listener.onEvent(event));
    }
  }

  /** Hands a presence change to the topic's listeners, as {@link #dispatch(Event)} does an event. */
  public void dispatchPresence(PresenceChange change) {
    Listeners listeners = byTopic.get(change.topic());
    if (listeners != null) {
      fanOut(change.topic(), listeners, listener -> listener.onPresence(change));
    }
  }

  /** {@link #dispatch(Event)}, with {@code observer} told before and after. */
  public void dispatch(Event event, DispatchObserver observer) {
    observer.dispatching(event);
    try {
      dispatch(event);
    } finally {
      observer.dispatched(event);
    }
  }

  private void fanOut(String topic, Listeners listeners, Consumer<Listener> delivery) {
    listeners.dispatching++;
    try {
      for (int i = 0, n = listeners.size; i < n; i++) {
        Listener listener = listeners.slots[i];
        if (listener == null) {
          continue;
        }
        try {
          delivery.accept(listener);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "a listener of " + topic + " failed", e);
        }
      }
    } finally {
      listeners.dispatching--;
    }
    listeners.compactIfSparse();
    if (listeners.isEmpty()) {
      // this instance only: if the last listener left during the dispatch, a new one may have
      // come since, with a new list
      if (byTopic.remove(topic, listeners)) {
        listened.remove(topic);
      }
    }
  }

  /**
   * One topic's listeners in an array with holes: a removal empties its slot, found through an
   * index, and the array is compacted once half of it is holes, never while a dispatch walks it.
   */
  private static final class Listeners {
    Listener[] slots = new Listener[2];
    /** Slots in use or emptied since the last compaction. */
    int size;
    int dispatching;
    /** Sized for one listener: many topics have one (a user's own) and the map doubles as it fills. */
    private final Map<Listener, Integer> slotOf = new IdentityHashMap<>(2);

    /** False when it was there already. */
    boolean add(Listener listener) {
      if (slotOf.containsKey(listener)) {
        return false;
      }
      if (size == slots.length) {
        compactIfSparse();
        if (size == slots.length) {
          slots = Arrays.copyOf(slots, size * 2);
        }
      }
      slotOf.put(listener, size);
      slots[size++] = listener;
      return true;
    }

    boolean remove(Listener listener) {
      Integer slot = slotOf.remove(listener);
      if (slot == null) {
        return false;
      }
      slots[slot] = null;
      compactIfSparse();
      return true;
    }

    boolean isEmpty() {
      return slotOf.isEmpty();
    }

    void compactIfSparse() {
      if (dispatching > 0 || slotOf.size() * 2 > size) {
        return;
      }
      int kept = 0;
      for (int i = 0; i < size; i++) {
        Listener listener = slots[i];
        if (listener != null) {
          slots[kept] = listener;
          slotOf.put(listener, kept++);
        }
      }
      Arrays.fill(slots, kept, size, null);
      size = kept;
    }
  }
}
