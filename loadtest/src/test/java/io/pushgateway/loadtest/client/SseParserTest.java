package io.pushgateway.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  @Test
  void parsesEventsAcrossChunksAndLineEndings() {
    List<String> got = new ArrayList<>();
    SseParser p = new SseParser((type, data, id) -> got.add(type + "|" + data + "|" + id));
    String stream = ": keep-alive\r\n\r\nid: a:1:e\r\ndata: {\"id\":1}\r\n\r\nevent: reset\ndata: {\"from\":5}\n\n"
      + "id: a:2:e\rdata: x\rdata: y\r\r";
    for (int i = 0; i < stream.length(); i += 7) {
      p.feed(Buffer.buffer(stream.substring(i, Math.min(stream.length(), i + 7))));
    }
    assertThat(got).containsExactly("null|{\"id\":1}|a:1:e", "reset|{\"from\":5}|a:1:e", "null|x\ny|a:2:e");
  }
}
