package io.pushgateway.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** A listener that keeps what it heard, for tests to wait on with bounded timeouts. */
final class Recorder implements Listener {

  final List<Event> events = new ArrayList<>();
  final List<Reset> resets = new ArrayList<>();
  final List<Transport> opens = new ArrayList<>();
  final List<String> disconnects = new ArrayList<>();
  final List<String> unauthorized = new ArrayList<>();
  /** When each open and each disconnect happened, epoch ms. */
  final List<Long> openTimes = new ArrayList<>();
  final List<Long> dropTimes = new ArrayList<>();
  int closes;

  @Override
  public synchronized void onOpen(Transport transport, boolean reconnected) {
    opens.add(transport);
    openTimes.add(System.currentTimeMillis());
    notifyAll();
  }

  @Override
  public synchronized void onEvent(Event event) {
    events.add(event);
    notifyAll();
  }

  @Override
  public synchronized void onReset(Reset reset) {
    resets.add(reset);
    notifyAll();
  }

  @Override
  public synchronized void onDisconnect(Transport transport, String reason) {
    disconnects.add(transport.label() + ": " + reason);
    dropTimes.add(System.currentTimeMillis());
    notifyAll();
  }

  @Override
  public synchronized void onUnauthorized(String message) {
    unauthorized.add(message);
    notifyAll();
  }

  /** Presence as told: "snapshot topic: ann,bob", "join topic: bob", "leave topic: bob". */
  final List<String> presence = new ArrayList<>();

  @Override
  public synchronized void onPresence(String topic, List<Member> members, Occupancy counts) {
    presence.add("snapshot " + topic + ": " + members.stream().map(Member::id).sorted().toList());
    notifyAll();
  }

  @Override
  public synchronized void onJoin(String topic, Member member, Occupancy counts) {
    presence.add("join " + topic + ": " + member.id());
    notifyAll();
  }

  @Override
  public synchronized void onLeave(String topic, Member member, Occupancy counts) {
    presence.add("leave " + topic + ": " + member.id());
    notifyAll();
  }

  @Override
  public synchronized void onClose() {
    closes++;
    notifyAll();
  }

  /** For each disconnect, the time to the next open (none: not counted). */
  synchronized List<Long> reconnectGaps() {
    List<Long> gaps = new ArrayList<>();
    for (long drop : dropTimes) {
      openTimes.stream().filter(open -> open >= drop).findFirst().ifPresent(open -> gaps.add(open - drop));
    }
    return gaps;
  }

  synchronized List<Long> ids() {
    return events.stream().map(Event::id).toList();
  }

  synchronized void await(String what, BooleanSupplier condition) throws Exception {
    await(what, condition, Duration.ofSeconds(30));
  }

  synchronized void await(String what, BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("expected " + what + "; events " + events.size() + ", opens " + opens
          + ", disconnects " + disconnects + ", resets " + resets);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
