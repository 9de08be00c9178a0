package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A binary event's bytes and their count, read back from the base64 its JSON form carries. */
class EventTest {

  @Test
  void aBinaryEventsLengthIsKnownWithoutDecodingWhateverItsPadding() {
    for (int n = 1; n <= 9; n++) {
      byte[] bytes = new byte[n];
      for (int i = 0; i < n; i++) {
        bytes[i] = (byte) (i * 37 + 200);
      }
      Event event = Event.encode("t", 1, 1, "e", "\"" + Base64.getEncoder().encodeToString(bytes) + "\"", "image/png");
      assertThat(event.binaryData()).as(n + " bytes").isEqualTo(bytes);
      assertThat(event.binaryLength()).as(n + " bytes").isEqualTo(n);
    }
    Event json = Event.encode("t", 1, 1, "e", "{\"a\":1}");
    assertThat(json.binaryData()).isNull();
    assertThat(json.binaryLength()).isEqualTo(-1);
  }
}
