package io.pushgateway.gateway.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * A publisher's JSON data as it travels: the text as sent when it fits on one line, so it is
 * checked but never decoded into objects and encoded again, and re-encoded compactly only when it
 * has a line break (an SSE {@code data:} line cannot hold one). Checking streams through the tokens
 * without building them, whatever the data's shape, so the JIT's code for it does not depend on
 * which field names and numbers publishers happen to send.
 */
public final class JsonText {

  private JsonText() {
  }

  /** {@code text} if it is exactly one JSON value, ready to travel; else a {@link DecodeException}. */
  public static String checked(String text) {
    try (JsonParser parser = JacksonCodec.createParser(text)) {
      if (parser.nextToken() == null) {
        throw new DecodeException("no JSON value");
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        throw new DecodeException("more than one JSON value");
      }
    } catch (IOException e) {
      throw new DecodeException(e.getMessage());
    }
    return travelling(text);
  }

  /** JSON text already checked, on one line: as it is, or re-encoded if it has a line break. */
  public static String travelling(String json) {
    return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? json : Json.encode(Json.decodeValue(json));
  }

  /**
   * The JSON value the parser stands on (its first token just read), as it travels: its text in
   * {@code json}, {@link #travelling}. The parser is left on the value's last token.
   */
  public static String valueText(JsonParser parser, String json) throws IOException {
    return travelling(rawText(parser, json));
  }

  /** The JSON value the parser stands on, as written in {@code json}; the parser left on its last token. */
  private static String rawText(JsonParser parser, String json) throws IOException {
    JsonToken first = parser.currentToken();
    if (first.isScalarValue()) {
      // a scalar's end is not tracked: its text is the token's own (a string quoted again)
      return first == JsonToken.VALUE_STRING ? quoted(parser.getText()) : parser.getText();
    }
    int start = (int) parser.currentTokenLocation().getCharOffset();
    parser.skipChildren();
    return json.substring(start, (int) parser.currentTokenLocation().getCharOffset() + 1);
  }

  /** {@code s} as a JSON string literal. */
  public static String quoted(String s) {
    StringBuilder quoted = new StringBuilder(s.length() + 2).append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, quoted);
    return quoted.append('"').toString();
  }
}
