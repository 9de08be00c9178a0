package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An event's pooled bytes go back to the pool once the event is gone, and not before its last write. */
class EventBuffersTest {

  @Test
  void aQueuedFrameOutlivesItsEventAndIsThenFreed() {
    Event event = Event.encode("a", 1, 2, "ep", "{\"x\":1}");
    ByteBuf queued = event.retainedWebSocketFrame();
    ByteBuf shared = queued;
    while (shared.unwrap() != null) {
      shared = shared.unwrap(); // past the duplicate, and the leak detector's wrapper if it chose this one
    }
    String bytes = queued.toString(StandardCharsets.ISO_8859_1);
    assertThat(shared.refCnt()).as("the event's reference and the queued write's").isEqualTo(2);
    Reference.reachabilityFence(event);
    event = null;

    // Nothing holds the event now; its reference goes once the collector has noticed.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (shared.refCnt() > 1 && Instant.now().isBefore(deadline)) {
      System.gc();
      Thread.onSpinWait();
    }

    assertThat(shared.refCnt()).as("only the queued write holds the bytes").isEqualTo(1);
    assertThat(queued.toString(StandardCharsets.ISO_8859_1)).isEqualTo(bytes);
    assertThat(queued.release()).isTrue();
    assertThat(shared.refCnt()).as("the last write frees them").isZero();
  }
}
