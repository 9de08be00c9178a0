package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.cluster.AppendBatches.Batch;
import io.pushgateway.gateway.cluster.AppendBatches.Pending;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Stored;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a node's appends leave for their owners, with calls the test answers by hand: a topic has
 * one batch on its way at a time, an owner {@link AppendBatches#CALLS_PER_OWNER} calls, and what
 * waits for either leaves together, in order, when one is answered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AppendBatchesTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  /** Appends made so far; each one's data is {"n":its number}. */
  private int sequence;
  /** Every call shipped so far, in order. */
  private final List<Call> calls = new ArrayList<>();
  /** Topics named "b.…" belong to member b, the others to member a. */
  private final AppendBatches batches = new AppendBatches(context, topic -> topic.startsWith("b.") ? "b" : "a",
    (to, sent) -> {
      Call call = new Call(to, sent, sent.stream().map(batch -> Promise.<List<Future<Stored>>>promise()).toList());
      calls.add(call);
      return call.answers.stream().map(Promise::future).toList();
    });

  /** One call to an owner: its topics' batches, and the answers the test gives them. */
  private record Call(Object to, List<Batch> batches, List<Promise<List<Future<Stored>>>> answers) {

    List<String> topics() {
      return batches.stream().map(Batch::topic).toList();
    }

    /** Answers every batch, ids from 1 in the order of its appends. */
    void answer() {
      for (int i = 0; i < batches.size(); i++) {
        Batch batch = batches.get(i);
        List<Future<Stored>> events = new ArrayList<>();
        for (Pending append : batch.appends()) {
          events.add(Future.succeededFuture(
            new Stored(Event.encode(batch.topic(), events.size() + 1, 0, "e", append.dataJson()), false)));
        }
        answers.get(i).tryComplete(events); // a call answered before stays as it was
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anOwnerTakesSoManyCallsAtOnceAndTheBatchesThatWaitLeaveTogetherInTheNext() throws Exception {
    int limit = AppendBatches.CALLS_PER_OWNER;
    List<String> topics = IntStream.range(0, limit + 5).mapToObj(t -> "a." + t).toList();
    List<Future<Event>> appended = onContext(() -> topics.stream().map(this::append).toList());

    onContext(() -> {
      assertThat(calls).as("one call per topic until the owner has " + limit + " on their way").hasSize(limit);
      assertThat(calls).allSatisfy(call -> assertThat(call.topics()).hasSize(1));
      calls.get(0).answer();
      assertThat(calls).as("the answer lets the waiting batches leave").hasSize(limit + 1);
      assertThat(calls.get(limit).topics()).as("together, in the order they came")
        .containsExactlyElementsOf(topics.subList(limit, topics.size()));
      List.copyOf(calls).forEach(Call::answer);
      return null;
    });
    assertThat(Future.all(appended).await(10, TimeUnit.SECONDS).<Event>list())
      .allSatisfy(event -> assertThat(event.id()).isEqualTo(1));
    assertThat(batches.shipped()).isEqualTo(limit + 1);
  }

  @Test
  void aTopicHasOneBatchOnItsWayAndItsNextAppendsFollowInOrder() throws Exception {
    List<Future<Event>> appended = onContext(() -> List.of(append("a.t"), append("a.t"), append("a.t")));
    onContext(() -> {
      assertThat(calls).as("the second and third wait for the first batch").hasSize(1);
      calls.get(0).answer();
      assertThat(calls).hasSize(2);
      assertThat(calls.get(1).batches().get(0).appends()).extracting(Pending::dataJson)
        .containsExactly("{\"n\":2}", "{\"n\":3}");
      calls.get(1).answer();
      return null;
    });
    assertThat(appended.get(0).await(10, TimeUnit.SECONDS).id()).isEqualTo(1);
    assertThat(appended.get(2).await(10, TimeUnit.SECONDS).id()).as("the second of its batch").isEqualTo(2);
  }

  @Test
  void ownersDoNotWaitForEachOther() throws Exception {
    int limit = AppendBatches.CALLS_PER_OWNER;
    onContext(() -> {
      for (int t = 0; t < limit + 1; t++) {
        append("a." + t);
      }
      append("b.0");
      assertThat(calls).extracting(Call::to).as("member b's call leaves while a's batch waits")
        .containsExactlyElementsOf(
          IntStream.range(0, limit + 1).mapToObj(i -> i < limit ? "a" : "b").toList());
      return null;
    });
  }

  private Future<Event> append(String topic) {
    return batches.add(topic, "{\"n\":" + ++sequence + "}", null, null, context).map(Stored::event);
  }

  /** Runs on the batches' context, as the event log does, and waits for it. */
  private <T> T onContext(Callable<T> task) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(task.call());
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(10, TimeUnit.SECONDS);
  }
}
