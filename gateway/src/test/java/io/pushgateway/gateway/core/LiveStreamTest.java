package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link LiveStream} on its own: a fake log whose reads the test answers when it chooses, a real
 * {@link Hub} for live events, and a sink that records what a transport would write. Everything
 * runs on the test's thread, as it would on the stream's one event loop.
 */
class LiveStreamTest {

  private final FakeLog log = new FakeLog("e1");
  private final Hub hub = new Hub();
  private final RecordingSink sink = new RecordingSink();
  private final LiveStream stream = new LiveStream(log, hub, sink);

  @Test
  void fromAPositionItCatchesUpFromHistoryThenTakesLiveEvents() {
    log.append("t", 5);

    stream.subscribe("t", new Position(2, "e1"));
    assertThat(sink.subscribed).containsExactly(new TopicState("t", 5, 1, "e1"));
    assertThat(sink.events).containsExactly("t:3", "t:4", "t:5");
    assertThat(stream.isCatchingUp()).isFalse();

    live("t", 6);
    live("t", 7);
    assertThat(sink.events).containsExactly("t:3", "t:4", "t:5", "t:6", "t:7");
    // what a compact format leaves the id out after: each event follows the one before
    assertThat(sink.befores).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(stream.cursor().toString()).isEqualTo("t:7:e1");
    assertThat(log.reads).isEqualTo(1);
  }

  @Test
  void fromNowItLearnsItsPositionFirstAndDeliversOnlyNewEvents() {
    log.append("t", 3);

    stream.subscribe("t", null);
    assertThat(sink.events).isEmpty();
    assertThat(stream.cursor().toString()).isEqualTo("t:3:e1");

    live("t", 4);
    assertThat(sink.events).containsExactly("t:4");
  }

  @Test
  void fromNowMeansWhenItSubscribedNotWhenItsReadIsAnswered() {
    log.append("t", 3);
    log.knowsHeads = true;
    log.holdReads = true;
    log.lateAnswers = true;
    stream.subscribe("t", null);

    // published once the client saw its stream open, stored before the stream's read is answered
    hub.dispatch(log.append("t", 1).get(0));
    log.answerNext();

    assertThat(sink.events).containsExactly("t:4");
    assertThat(stream.cursor().toString()).isEqualTo("t:4:e1");
  }

  @Test
  void fromNowOnATopicWithoutEventsStartsBeforeItsFirst() {
    log.knowsHeads = true;
    log.knowsEveryHead = true;
    log.holdReads = true;
    log.lateAnswers = true;
    stream.subscribe("new", null);

    // the topic's first events, stored before the stream's read is answered
    log.append("new", 2).forEach(hub::dispatch);
    log.answerNext();

    assertThat(sink.events).containsExactly("new:1", "new:2");
    assertThat(stream.cursor().toString()).isEqualTo("new:2:e1");
  }

  @Test
  void liveEventsDuringTheCatchUpReadComeAfterHistoryOnceEach() {
    log.append("t", 3);
    log.holdReads = true;
    stream.subscribe("t", new Position(0, "e1"));
    assertThat(stream.isCatchingUp()).isTrue();

    // published while the read is out: the read may or may not include them
    live("t", 4);
    live("t", 5);
    log.holdReads = false;
    log.answerNext(); // history as it was: 1..3

    assertThat(sink.events).containsExactly("t:1", "t:2", "t:3", "t:4", "t:5");
    assertThat(stream.isCatchingUp()).isFalse();
  }

  @Test
  void aLiveEventAlreadyDeliveredFromHistoryIsDroppedAndAGapIsReadFromTheLog() {
    log.append("t", 3);
    stream.subscribe("t", new Position(0, "e1"));

    hub.dispatch(log.events.get("t").get(2)); // t:3 again
    assertThat(sink.events).containsExactly("t:1", "t:2", "t:3");

    // t:4 never reached this hub: t:5 is not the next id, so the stream reads the log
    log.append("t", 2);
    hub.dispatch(log.events.get("t").get(4));
    assertThat(sink.events).containsExactly("t:1", "t:2", "t:3", "t:4", "t:5");
    assertThat(log.reads).isEqualTo(2);
  }

  @Test
  void aPositionInAnotherHistoryIsResetAndRestartsAtTheOldestKeptEvent() {
    log.append("t", 2);

    stream.subscribe("t", new Position(7, "gone"));

    assertThat(sink.resets).containsExactly(new Reset("t", 1, "e1"));
    assertThat(sink.events).containsExactly("t:1", "t:2");
    assertThat(stream.cursor().toString()).isEqualTo("t:2:e1");
  }

  @Test
  void aLiveEventOfANewHistoryResetsTheStream() {
    log.append("t", 2);
    stream.subscribe("t", new Position(2, "e1"));

    // the log restarted (new epoch): its first event reaches the hub
    log.restart("e2");
    log.append("t", 1);
    hub.dispatch(log.events.get("t").get(0));

    assertThat(sink.resets).containsExactly(new Reset("t", 1, "e2"));
    assertThat(sink.events).containsExactly("t:1");
    assertThat(stream.cursor().toString()).isEqualTo("t:1:e2");
  }

  @Test
  void catchingUpWaitsForTheSinkToDrainBetweenReads() {
    log.append("t", 1200); // three reads of at most 500
    sink.writable = false;

    stream.subscribe("t", new Position(0, "e1"));
    assertThat(sink.events).hasSize(500);
    assertThat(stream.isCatchingUp()).isTrue();

    sink.drain();
    assertThat(sink.events).hasSize(1000);
    sink.writable = true;
    sink.drain();
    assertThat(sink.events).hasSize(1200).endsWith("t:1200");
    assertThat(stream.isCatchingUp()).isFalse();
    assertThat(log.reads).isEqualTo(3);
  }

  @Test
  void afterUnsubscribeATopicDeliversNothing() {
    log.append("a", 1);
    log.append("b", 1);
    stream.subscribe("a", new Position(1, "e1"));
    stream.subscribe("b", new Position(1, "e1"));

    stream.unsubscribe("a");
    live("a", 2);
    live("b", 2);

    assertThat(sink.events).containsExactly("b:2");
    assertThat(stream.topics()).containsExactly("b");
    assertThat(stream.subscribes("a")).isFalse();
  }

  @Test
  void closeStopsLiveEventsAndAReadThatAnswersLater() {
    log.append("t", 2);
    log.holdReads = true;
    stream.subscribe("t", new Position(0, "e1"));

    stream.close();
    stream.close(); // twice is harmless
    log.answerNext();
    live("t", 3);
    stream.subscribe("t", null);

    assertThat(sink.events).isEmpty();
    assertThat(sink.subscribed).isEmpty();
  }

  @Test
  void aFailedReadIsHandedToTheSink() {
    log.failReads = true;

    stream.subscribe("t", new Position(0, "e1"));

    assertThat(sink.failures).hasSize(1);
    assertThat(sink.events).isEmpty();
  }

  /** Appends the topic's next event to the log and hands it to the hub, as a publish would. */
  private void live(String topic, long expectedId) {
    Event event = log.append(topic, 1).get(0);
    assertThat(event.id()).isEqualTo(expectedId);
    hub.dispatch(event);
  }

  /** What a transport would have written. */
  private static final class RecordingSink implements LiveStream.Sink {
    final List<TopicState> subscribed = new ArrayList<>();
    final List<Reset> resets = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();
    boolean writable = true;
    private Promise<Void> drained;

    @Override
    public void subscribed(TopicState state, long from) {
      subscribed.add(state);
    }

    @Override
    public void reset(Reset reset) {
      resets.add(reset);
    }

    /** For each event, the id the stream stood at before it (-1: none). */
    final List<Long> befores = new ArrayList<>();

    @Override
    public void event(Event event, Position before) {
      events.add(event.topic() + ":" + event.id());
      befores.add(before == null ? -1 : before.id());
    }

    @Override
    public boolean writable() {
      return writable;
    }

    @Override
    public Future<Void> drained() {
      drained = Promise.promise();
      return drained.future();
    }

    void drain() {
      assertThat(drained).as("the stream waits for a drain").isNotNull();
      Promise<Void> waiting = drained;
      drained = null;
      waiting.complete();
    }

    @Override
    public void failed(Throwable cause) {
      failures.add(cause);
    }
  }

  /**
   * The log's read rules, small: each topic's events of one epoch, all kept; a position in another
   * epoch or past the head is reset to the oldest event; a topic without a position starts now.
   */
  private static final class FakeLog implements EventLog {
    final Map<String, List<Event>> events = new HashMap<>();
    private final ArrayDeque<Runnable> heldReads = new ArrayDeque<>();
    private String epoch;
    boolean holdReads;
    /** A held read answers with history as it is when answered, not as it was when asked. */
    boolean lateAnswers;
    /** It knows each topic's head without a read, as the real logs do. */
    boolean knowsHeads;
    /** And every head, as the in-memory log does: no head, no events. */
    boolean knowsEveryHead;
    boolean failReads;
    int reads;

    FakeLog(String epoch) {
      this.epoch = epoch;
    }

    void restart(String newEpoch) {
      epoch = newEpoch;
      events.clear();
    }

    List<Event> append(String topic, int count) {
      List<Event> kept = events.computeIfAbsent(topic, t -> new ArrayList<>());
      List<Event> added = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Event event = Event.encode(topic, kept.size() + 1, 0, epoch, "{}");
        kept.add(event);
        added.add(event);
      }
      return added;
    }

    /** Answers the oldest held read from the log as it is now. */
    void answerNext() {
      heldReads.poll().run();
    }

    @Override
    public Future<ReadResult> read(ReadRequest request) {
      reads++;
      if (failReads) {
        return Future.failedFuture(new IllegalStateException("log unavailable"));
      }
      Promise<ReadResult> answer = Promise.promise();
      // history as it is when the read is asked, as a real log's reply would carry it
      ReadResult result = answer(request);
      if (holdReads) {
        heldReads.add(() -> answer.complete(lateAnswers ? answer(request) : result));
      } else {
        answer.complete(result);
      }
      return answer.future();
    }

    private ReadResult answer(ReadRequest request) {
      List<Reset> resets = new ArrayList<>();
      List<Event> out = new ArrayList<>();
      Map<String, Position> after = new LinkedHashMap<>();
      Map<String, TopicState> states = new LinkedHashMap<>();
      boolean more = false;
      for (String topic : request.topics()) {
        List<Event> kept = events.getOrDefault(topic, List.of());
        long last = kept.size();
        states.put(topic, new TopicState(topic, last, 1, epoch));
        Position position = request.cursor().get(topic);
        if (position == null) {
          after.put(topic, new Position(last, epoch));
          continue;
        }
        long from = position.id() + 1;
        if ((position.epoch() != null && !position.epoch().equals(epoch)) || position.id() > last) {
          resets.add(new Reset(topic, 1, epoch));
          from = 1;
        }
        long to = Math.min(last, from - 1 + request.limit() - out.size());
        for (long id = from; id <= to; id++) {
          out.add(kept.get((int) id - 1));
        }
        more |= to < last;
        after.put(topic, new Position(Math.max(to, from - 1), epoch));
      }
      return new ReadResult(resets, out, Cursor.of(after), states, more);
    }

    @Override
    public boolean knowsEveryHead() {
      return knowsEveryHead;
    }

    @Override
    public Position head(String topic) {
      List<Event> kept = events.get(topic);
      return knowsHeads && kept != null ? new Position(kept.size(), epoch) : null;
    }

    @Override
    public Future<Stored> appendOnce(String topic, String dataJson, String contentType, String key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Optional<TopicState>> state(String topic) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Boolean> delete(String topic) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<TopicQuery.Page> topics(TopicQuery query) {
      return Future.succeededFuture(query.of(new java.util.TreeSet<>(events.keySet())));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    @Override
    public Hubs hubs() {
      return new Hubs("fake");
    }
  }
}
