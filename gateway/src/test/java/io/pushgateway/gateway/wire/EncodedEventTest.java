package io.pushgateway.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class EncodedEventTest {

  private static final String JSON = "{\"topic\":\"a\",\"id\":3,\"ts\":13,\"data\":{\"x\":true}}";

  private static Event event(String data) {
    return Event.encode("a", 3, 13, "ep1", data);
  }

  @Test
  void everyFormCarriesTheSameJson() {
    SpelledEvent encoded = EncodedEvent.of(event("{\"x\":true}")).full();
    assertThat(text(encoded.retainedWebSocketFrame())).isEqualTo("\u0081" + (char) JSON.length() + JSON);
    assertThat(encoded.webSocketPayloadLength()).isEqualTo(JSON.length());
    String sseEvent = "id: a:3:ep1\ndata: " + JSON + "\n\n";
    assertThat(text(encoded.retainedSseBytes())).isEqualTo(sseEvent);
    assertThat(encoded.sseEventLength()).isEqualTo(sseEvent.length());
    String otherId = "id: a:3:ep1,b:0:ep1\n";
    String otherEvent = otherId + "data: " + JSON + "\n\n";
    assertThat(text(encoded.sseBytes(otherId.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(otherEvent);
    assertThat(otherId.length() + encoded.sseDataLength()).isEqualTo(otherEvent.length());
    // the public-API forms: the same text
    assertThat(encoded.text()).isEqualTo(JSON);
    assertThat(encoded.sseEvent().toString()).isEqualTo(sseEvent);
    assertThat(encoded.sseEvent(otherId.getBytes(StandardCharsets.US_ASCII)).toString()).isEqualTo(otherEvent);
  }

  @Test
  void theCompactSpellingsCarryTheDataWithWhatTheClientCannotDerive() {
    EncodedEvent encoded = EncodedEvent.of(event("{\"x\":[1,\"]\"]}"));
    assertThat(encoded.spelled(Spelling.compact(0, false, false)).text()).isEqualTo("[0,{\"x\":[1,\"]\"]}]");
    assertThat(encoded.spelled(Spelling.compact(2, true, false)).text()).isEqualTo("[2,{\"x\":[1,\"]\"]},3]");
    assertThat(encoded.spelled(Spelling.compact(5, true, true)).text()).isEqualTo("[5,{\"x\":[1,\"]\"]},3,13]");
    // the single-topic SSE id is the compact cursor entry, id.epoch; no optional spaces
    SpelledEvent compact = encoded.spelled(Spelling.compact(0, false, false));
    String sseEvent = "id:3.ep1\ndata:[0,{\"x\":[1,\"]\"]}]\n\n";
    assertThat(text(compact.retainedSseBytes())).isEqualTo(sseEvent);
    assertThat(compact.sseEvent().toString()).isEqualTo(sseEvent);
    // one form per spelling, shared
    assertThat(encoded.spelled(Spelling.compact(2, true, false))).isSameAs(encoded.spelled(Spelling.compact(2, true, false)));
    assertThat(encoded.spelled(Spelling.FULL)).isSameAs(encoded.full());
    // one topic on SSE: the data alone
    assertThat(encoded.spelled(Spelling.BARE).sseEvent().toString()).isEqualTo("id:3.ep1\ndata:{\"x\":[1,\"]\"]}\n\n");
  }

  @Test
  void aPatchedSpellingCarriesThePatchFromThePreviousEventInPlaceOfTheData() {
    String pad = "\"name\":\"Acme Corporation, common stock\"";
    Event previous = Event.encode("a", 2, 12, "ep1", "{\"bid\":100," + pad + "}");
    Event next = Event.encode("a", 3, 13, "ep1", "{\"bid\":101," + pad + "}");
    EncodedEvent encoded = EncodedEvent.of(next);
    // the log has not said which event came before
    assertThat(encoded.patchableFrom(previous.position())).isFalse();
    // the log tells it only of the event just before, in the same history
    next.follows(Event.encode("a", 1, 11, "ep1", "{\"bid\":100," + pad + "}"));
    next.follows(Event.encode("a", 2, 12, "ep2", "{\"bid\":100," + pad + "}"));
    next.follows(Event.encode("b", 2, 12, "ep1", "{\"bid\":100," + pad + "}"));
    assertThat(next.previousDataJson()).isNull();
    next.follows(previous);
    // and it goes only to a client that holds that event
    assertThat(encoded.patchableFrom(null)).isFalse();
    assertThat(encoded.patchableFrom(new Position(1, "ep1"))).isFalse();
    assertThat(encoded.patchableFrom(new Position(2, "ep2"))).isFalse();
    assertThat(encoded.patchableFrom(new Position(2, null))).isFalse();
    assertThat(encoded.patchableFrom(previous.position())).isTrue();

    assertThat(encoded.spelled(Spelling.patched(Spelling.FULL)).text())
      .isEqualTo("{\"topic\":\"a\",\"id\":3,\"ts\":13,\"patch\":{\"bid\":101}}");
    assertThat(encoded.spelled(Spelling.patched(Spelling.compact(0, false, false))).text()).isEqualTo("[-1,{\"bid\":101}]");
    assertThat(encoded.spelled(Spelling.patched(Spelling.compact(2, true, true))).text())
      .isEqualTo("[-3,{\"bid\":101},3,13]");
    // one topic on SSE: an event of its own type
    assertThat(encoded.spelled(Spelling.patched(Spelling.BARE)).sseEvent().toString())
      .isEqualTo("id:3.ep1\nevent:patch\ndata:{\"bid\":101}\n\n");
    assertThat(encoded.spelled(Spelling.patched(Spelling.FULL)).sseEvent().toString())
      .isEqualTo("id: a:3:ep1\ndata: {\"topic\":\"a\",\"id\":3,\"ts\":13,\"patch\":{\"bid\":101}}\n\n");
    // the unpatched spellings are untouched
    assertThat(encoded.full().text()).contains("\"data\":{\"bid\":101," + pad + "}");
    assertThat(encoded.spelled(Spelling.compact(0, false, false)).text()).startsWith("[0,{\"bid\":101,");
  }

  @Test
  void aBinaryEventIsSpelledInFullInTheCompactFormatToo() {
    Event binary = Event.encode("a", 3, 13, "ep1", "\"AQID\"", "image/png");
    String full = EncodedEvent.of(binary).full().text();
    assertThat(full).contains("\"contentType\":\"image/png\"");
    assertThat(EncodedEvent.of(binary).spelled(Spelling.compact(0, false, false)).text()).isEqualTo(full);
    // on SSE an event of its own type, so a one-topic stream's bare data is never taken for it
    assertThat(EncodedEvent.of(binary).spelled(Spelling.BARE).sseEvent().toString())
      .isEqualTo("id:3.ep1\nevent:binary\ndata:" + full + "\n\n");
  }

  @Test
  void largeEventsGetTheExtendedLengthAndAViewPerWrite() {
    String data = "\"" + "x".repeat(1024) + "\"";
    SpelledEvent encoded = EncodedEvent.of(Event.encode("a", 1, 10, "ep1", data)).full();
    String json = "{\"topic\":\"a\",\"id\":1,\"ts\":10,\"data\":" + data + "}";
    assertThat(text(encoded.retainedWebSocketFrame()))
      .isEqualTo("\u0081\u007e" + (char) (json.length() >> 8) + (char) (json.length() & 0xff) + json);
    // each write has its own reader index: reading one leaves the next whole
    ByteBuf first = encoded.retainedWebSocketFrame();
    first.skipBytes(first.readableBytes());
    first.release();
    assertThat(text(encoded.retainedWebSocketFrame())).endsWith(json);
  }

  @Test
  void theDeflatedFrameInflatesToTheJson() throws Exception {
    String data = "\"" + "abc".repeat(200) + "\"";
    Event event = Event.encode("a", 1, 10, "ep1", data);
    ByteBuf frame = EncodedEvent.of(event).full().retainedDeflatedWebSocketFrame();
    try {
      assertThat(frame.getByte(0) & 0xFF).isEqualTo(0xC1); // FIN, RSV1, text (RFC 7692 §6)
      int length = (int) WebSocketFrames.payloadLength(frame);
      byte[] payload = new byte[length + 4];
      frame.getBytes(frame.readableBytes() - length, payload, 0, length);
      payload[length + 2] = (byte) 0xFF; // the tail the sender dropped (RFC 7692 §7.2.2)
      payload[length + 3] = (byte) 0xFF;
      Inflater inflater = new Inflater(true);
      inflater.setInput(payload);
      byte[] out = new byte[4096];
      int n = inflater.inflate(out);
      assertThat(new String(out, 0, n, StandardCharsets.UTF_8))
        .isEqualTo("{\"topic\":\"a\",\"id\":1,\"ts\":10,\"data\":" + data + "}");
    } finally {
      frame.release();
    }
  }

  @Test
  void releasedViewsGiveBackTheirReference() {
    SpelledEvent encoded = EncodedEvent.of(event("1")).full();
    for (int i = 0; i < 16; i++) {
      ByteBuf view = encoded.retainedWebSocketFrame();
      view.skipBytes(view.readableBytes() / 2);
      view.release();
      encoded.retainedSseBytes().release();
      encoded.sseBytes("id: other\n".getBytes(StandardCharsets.US_ASCII)).release();
    }
    // the shared bytes' own reference and this view's: none left behind by the released ones
    for (ByteBuf view : List.of(encoded.retainedWebSocketFrame(), encoded.retainedSseBytes())) {
      assertThat(view.unwrap().refCnt()).isEqualTo(2);
      view.release();
    }
  }

  @Test
  void everyThreadGetsTheSameFormsAndTheSameBytes() throws Exception {
    Event event = event("1");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<ByteBuf>> tasks = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        tasks.add(() -> EncodedEvent.of(event).spelled(Spelling.compact(1, true, false)).retainedWebSocketFrame());
      }
      List<ByteBuf> views = new ArrayList<>();
      for (Future<ByteBuf> view : pool.invokeAll(tasks, 10, TimeUnit.SECONDS)) {
        views.add(view.get());
      }
      assertThat(views).extracting(ByteBuf::unwrap).containsOnly(views.get(0).unwrap());
      views.forEach(ByteBuf::release);
    } finally {
      pool.shutdownNow();
    }
    assertThat(EncodedEvent.of(event)).isSameAs(event.wireForms());
  }

  /** The buffer's bytes as ISO-8859-1 text (one char per byte), releasing it. */
  private static String text(ByteBuf buffer) {
    try {
      return buffer.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buffer.release();
    }
  }
}
