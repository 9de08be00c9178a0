package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TopicStoreTest {

  private final TopicStore store = new TopicStore(5, 0, "ep1");

  private ReadResult read(String cursor, int limit, String... topics) {
    return store.read(new ReadRequest(List.of(topics), Cursor.parse(cursor), limit), 0);
  }

  @Test
  void assignsContiguousIdsPerTopic() {
    assertThat(store.append("a", "1", 10).id()).isEqualTo(1);
    assertThat(store.append("a", "2", 11).id()).isEqualTo(2);
    assertThat(store.append("b", "3", 12).id()).isEqualTo(1);
    Event event = store.append("a", "{\"x\":true}", 13);
    String json = "{\"topic\":\"a\",\"id\":3,\"ts\":13,\"data\":{\"x\":true}}";
    Buffer appended = Buffer.buffer("[");
    event.appendJson(appended);
    assertThat(appended.toString()).isEqualTo("[" + json);
    assertThat(event.jsonLength()).isEqualTo(json.length());
    assertThat(text(event.retainedWebSocketFrame())).isEqualTo("\u0081" + (char) json.length() + json);
    String sseEvent = "id: a:3:ep1\ndata: " + json + "\n\n";
    assertThat(text(event.retainedSseChunk()))
      .isEqualTo(Integer.toHexString(sseEvent.length()) + "\r\n" + sseEvent + "\r\n");
    assertThat(event.sseEventLength()).isEqualTo(sseEvent.length());
    String otherId = "id: a:3:ep1,b:0:ep1\n";
    String otherEvent = otherId + "data: " + json + "\n\n";
    assertThat(text(event.sseChunk(otherId.getBytes(StandardCharsets.US_ASCII))))
      .isEqualTo(Integer.toHexString(otherEvent.length()) + "\r\n" + otherEvent + "\r\n");
    assertThat(otherId.length() + event.sseDataLength()).isEqualTo(otherEvent.length());
  }

  @Test
  void largeEventsGetTheExtendedLengthAndAViewPerWrite() {
    String data = "\"" + "x".repeat(1024) + "\"";
    Event event = store.append("a", data, 10);
    String json = "{\"topic\":\"a\",\"id\":1,\"ts\":10,\"data\":" + data + "}";
    assertThat(text(event.retainedWebSocketFrame()))
      .isEqualTo("\u0081\u007e" + (char) (json.length() >> 8) + (char) (json.length() & 0xff) + json);
    String sseEvent = "id: a:1:ep1\ndata: " + json + "\n\n";
    assertThat(text(event.retainedSseChunk()))
      .isEqualTo(Integer.toHexString(sseEvent.length()) + "\r\n" + sseEvent + "\r\n");
    // each write has its own reader index: reading one leaves the next whole
    ByteBuf first = event.retainedWebSocketFrame();
    first.skipBytes(first.readableBytes());
    first.release();
    assertThat(text(event.retainedWebSocketFrame())).endsWith(json);
  }

  @Test
  void releasedViewsAreRecycledAndGiveBackTheirReference() throws Exception {
    Event event = store.append("a", "1", 10);
    // Netty recycles on its own threads (event loops are such threads), so test on one
    CompletableFuture<Void> done = new CompletableFuture<>();
    new FastThreadLocalThread(() -> {
      try {
        assertViewsRecycled(event::retainedWebSocketFrame);
        assertViewsRecycled(event::retainedSseChunk);
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }).start();
    done.get(10, TimeUnit.SECONDS);
  }

  /** Views taken and released one after another: reused objects, and the shared bytes held once each. */
  private static void assertViewsRecycled(Supplier<ByteBuf> views) {
    Set<ByteBuf> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    String whole = text(views.get());
    for (int i = 0; i < 16; i++) {
      ByteBuf view = views.get();
      distinct.add(view);
      assertThat(view.toString(StandardCharsets.ISO_8859_1)).isEqualTo(whole);
      view.skipBytes(view.readableBytes() / 2);
      view.release();
    }
    assertThat(distinct).hasSizeLessThan(16);
    ByteBuf view = views.get();
    // the shared bytes' own reference and this view's: none left behind by the released ones
    assertThat(view.unwrap().refCnt()).isEqualTo(2);
    view.release();
  }

  private static String json(Event event) {
    Buffer json = Buffer.buffer();
    event.appendJson(json);
    return json.toString();
  }

  /** The buffer's bytes as ISO-8859-1 text (one char per byte), releasing it. */
  private static String text(ByteBuf buffer) {
    try {
      return buffer.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buffer.release();
    }
  }

  @Test
  void timestampsNeverGoBackwards() {
    store.append("a", "1", 100);
    assertThat(store.append("a", "2", 50).ts()).isEqualTo(100);
  }

  @Test
  void readsAfterCursorWithLimitAndMore() {
    for (int i = 0; i < 5; i++) {
      store.append("a", String.valueOf(i), i);
    }
    ReadResult first = read("a:1", 2, "a");
    assertThat(first.events()).extracting(Event::id).containsExactly(2L, 3L);
    assertThat(first.more()).isTrue();
    assertThat(first.cursor().toString()).isEqualTo("a:3:ep1");
    ReadResult rest = read(first.cursor().toString(), 10, "a");
    assertThat(rest.events()).extracting(Event::id).containsExactly(4L, 5L);
    assertThat(rest.more()).isFalse();
  }

  @Test
  void topicWithoutCursorStartsNow() {
    store.append("a", "1", 0);
    ReadResult result = read("", 10, "a", "b");
    assertThat(result.events()).isEmpty();
    assertThat(result.cursor().toString()).isEqualTo("a:1:ep1,b:0:ep1");
  }

  @Test
  void keepsOnlyTheNewestEventsAndResetsOlderCursors() {
    for (int i = 0; i < 12; i++) {
      store.append("a", String.valueOf(i), i);
    }
    assertThat(store.state("a", 0)).get().extracting(TopicState::oldestId, TopicState::lastId).containsExactly(8L, 12L);
    ReadResult old = read("a:3", 10, "a");
    assertThat(old.resets()).containsExactly(new Reset("a", 8, "ep1"));
    assertThat(old.events()).extracting(Event::id).containsExactly(8L, 9L, 10L, 11L, 12L);
    ReadResult justKept = read("a:7", 10, "a");
    assertThat(justKept.resets()).isEmpty();
    assertThat(justKept.events()).extracting(Event::id).startsWith(8L);
  }

  @Test
  void zeroMeansOldestKeptWithoutReset() {
    for (int i = 0; i < 7; i++) {
      store.append("a", String.valueOf(i), i);
    }
    ReadResult result = read("a:0", 10, "a");
    assertThat(result.resets()).isEmpty();
    assertThat(result.events()).extracting(Event::id).containsExactly(3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void resetsOnAnotherEpochOrAFutureId() {
    store.append("a", "1", 0);
    assertThat(read("a:1:other", 10, "a").resets()).containsExactly(new Reset("a", 1, "ep1"));
    assertThat(read("a:9", 10, "a").resets()).containsExactly(new Reset("a", 1, "ep1"));
    assertThat(read("a:1:ep1", 10, "a").resets()).isEmpty();
  }

  @Test
  void dropsEventsOlderThanMaxAge() {
    TopicStore aged = new TopicStore(100, 1000, "ep1");
    aged.append("a", "1", 0);
    aged.append("a", "2", 500);
    aged.append("a", "3", 1200);
    assertThat(aged.state("a", 1400)).get().extracting(TopicState::oldestId).isEqualTo(2L);
    assertThat(aged.state("a", 5000)).get().extracting(TopicState::oldestId, TopicState::lastId).containsExactly(4L, 3L);
    ReadResult result = aged.read(new ReadRequest(List.of("a"), Cursor.parse("a:1"), 10), 5000);
    assertThat(result.resets()).containsExactly(new Reset("a", 4, "ep1"));
    assertThat(result.events()).isEmpty();
  }

  @Test
  void ringGrowsAndWrapsKeepingOrder() {
    TopicStore big = new TopicStore(40, 0, "ep1");
    for (int i = 1; i <= 100; i++) {
      big.append("a", String.valueOf(i), i);
    }
    ReadResult all = big.read(new ReadRequest(List.of("a"), Cursor.parse("a:0"), 1000), 0);
    assertThat(all.events()).extracting(Event::id).hasSize(40).startsWith(61L).endsWith(100L).isSorted();
    assertThat(all.events()).extracting(TopicStoreTest::json).allMatch(s -> s.contains("\"data\":"));
  }
}
