package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HubTest {

  private final Hub hub = new Hub();

  private static Event event(String topic, long id) {
    return Event.encode(topic, id, 0, "ep", "{}");
  }

  /** Records the ids it got; what it does on an event is up to the test. */
  private static class Recorder implements Hub.Listener {
    final List<Long> ids = new ArrayList<>();
    Runnable onEvent = () -> { };

    @Override
    public void onEvent(Event event) {
      ids.add(event.id());
      onEvent.run();
    }
  }

  @Test
  void theHubKeepsTheSubscriberCountsOfItsListeners() {
    SubscriberCounts counts = new SubscriberCounts();
    Hub counting = new Hub(counts);
    Hub.Listener ws = new Hub.Listener() {
      @Override
      public void onEvent(Event event) {
      }

      @Override
      public Transport transport() {
        return Transport.WS;
      }
    };
    counting.add("t", ws);
    counting.add("t", ws); // already there: counted once
    counting.add("u", ws);
    counting.add("t", new Recorder()); // no transport: not counted
    assertThat(counts.get("t", Transport.WS)).isEqualTo(1);
    assertThat(counts.get("u", Transport.WS)).isEqualTo(1);
    counting.remove("t", ws);
    counting.remove("t", ws); // gone already: uncounted once
    assertThat(counts.get("t", Transport.WS)).isZero();
    assertThat(counts.total(Transport.WS)).isEqualTo(1);
  }

  @Test
  void everyListenerGetsEveryEventOfItsTopicOnce() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    hub.add("t", a);
    hub.add("t", a);
    hub.add("t", b);
    hub.add("other", b);
    hub.dispatch(event("t", 1));
    hub.dispatch(event("other", 1));
    hub.dispatch(event("t", 2));
    assertThat(a.ids).containsExactly(1L, 2L);
    assertThat(b.ids).containsExactly(1L, 1L, 2L);
  }

  @Test
  void aListenerRemovedDuringADispatchGetsNothingMoreAndOneAddedGetsTheNextEvent() {
    Recorder first = new Recorder();
    Recorder removed = new Recorder();
    Recorder added = new Recorder();
    hub.add("t", first);
    hub.add("t", removed);
    first.onEvent = () -> {
      hub.remove("t", removed);
      hub.add("t", added);
    };
    hub.dispatch(event("t", 1));
    first.onEvent = () -> { };
    hub.dispatch(event("t", 2));
    assertThat(first.ids).containsExactly(1L, 2L);
    assertThat(removed.ids).isEmpty();
    assertThat(added.ids).containsExactly(2L);
  }

  @Test
  void listenersThatLeaveOnEveryEventAndComeBackMissNothing() {
    // what long polls do: answered by an event, they leave, and the next poll adds them again
    List<Recorder> polls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Recorder poll = new Recorder();
      poll.onEvent = () -> hub.remove("t", poll);
      polls.add(poll);
      hub.add("t", poll);
    }
    for (long id = 1; id <= 5; id++) {
      hub.dispatch(event("t", id));
      polls.forEach(poll -> hub.add("t", poll));
    }
    assertThat(polls).allSatisfy(poll -> assertThat(poll.ids).containsExactly(1L, 2L, 3L, 4L, 5L));
  }

  @Test
  void whenTheLastListenerLeavesDuringADispatchANewOneIsStillHeard() {
    Recorder leaving = new Recorder();
    Recorder newcomer = new Recorder();
    leaving.onEvent = () -> {
      hub.remove("t", leaving);
      hub.add("t", newcomer);
    };
    hub.add("t", leaving);
    hub.dispatch(event("t", 1));
    hub.dispatch(event("t", 2));
    assertThat(leaving.ids).containsExactly(1L);
    assertThat(newcomer.ids).containsExactly(2L);
  }

  @Test
  void aFailingListenerDoesNotStarveTheOthers() {
    Recorder failing = new Recorder();
    failing.onEvent = () -> {
      throw new IllegalStateException("broken listener");
    };
    Recorder other = new Recorder();
    hub.add("t", failing);
    hub.add("t", other);
    hub.handed();
    assertThat(hub.behind()).as("an event on its way").isTrue();
    hub.dispatch(event("t", 1));
    assertThat(other.ids).containsExactly(1L);
    assertThat(hub.behind()).as("dispatched, though a listener failed").isFalse();
  }

  @Test
  void removingWhatWasNeverAddedChangesNothing() {
    Recorder listener = new Recorder();
    hub.remove("t", listener);
    hub.add("t", listener);
    hub.remove("t", new Recorder());
    hub.remove("other", listener);
    hub.dispatch(event("t", 1));
    assertThat(listener.ids).containsExactly(1L);
  }
}
