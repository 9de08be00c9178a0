package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LiveStream} as a transport uses it: on one event loop, its hub fed by the real
 * {@link LocalEventLog}'s event bus publication, history read over the event bus.
 */
@ExtendWith(VertxExtension.class)
class LiveStreamOnLogTest {

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void catchesUpFromTheLogThenFollowsItLiveInOrder(Vertx vertx, VertxTestContext test) {
    Context loop = vertx.getOrCreateContext();
    List<Long> ids = new ArrayList<>();
    Checkpoint delivered = test.checkpoint(4);
    LocalEventLog.deploy(vertx, UUID.randomUUID().toString(), 100, 0, 1000, 0, topic -> true)
      .compose(log -> log.append("t", "{}")
        .compose(first -> log.append("t", "{}"))
        .compose(second -> log.append("t", "{}"))
        .onSuccess(third -> loop.runOnContext(v -> {
          Hub hub = new Hub();
          log.hubs().join(vertx.eventBus(), hub, hub::dispatch);
          LiveStream stream = new LiveStream(log, hub, new LiveStream.Sink() {
            @Override
            public void subscribed(TopicState state, long from) {
              test.verify(() -> assertThat(state.lastId()).isEqualTo(3));
              // published once the stream is listening: these come live, after the history
              log.append("t", "{}").compose(e -> log.append("t", "{}")).onFailure(test::failNow);
            }

            @Override
            public void reset(Reset reset) {
              test.failNow("unexpected reset " + reset);
            }

            @Override
            public void event(Event event, Position before) {
              test.verify(() -> assertThat(Context.isOnEventLoopThread()).isTrue());
              ids.add(event.id());
              test.verify(() -> assertThat(ids).isEqualTo(List.of(2L, 3L, 4L, 5L).subList(0, ids.size())));
              delivered.flag();
            }

            @Override
            public boolean writable() {
              return true;
            }

            @Override
            public Future<Void> drained() {
              return Future.succeededFuture();
            }

            @Override
            public void failed(Throwable cause) {
              test.failNow(cause);
            }
          });
          stream.subscribe("t", new Position(1, third.epoch()));
        })))
      .onFailure(test::failNow);
  }
}
