package io.pushgateway.gateway.http;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Topics;

/**
 * How long a request line and a request's headers may be, derived from the largest subscription
 * the protocol allows, so every legal one fits: {@code maxTopicsPerSubscription} topics of
 * {@link Topics#MAX_LENGTH} characters and a cursor entry of {@link Cursor#MAX_ENTRY_LENGTH} for
 * each, separators percent-encoded ({@code %2C}, {@code %3A}: three bytes each), a {@code ?token=}
 * JWT, and room for the rest. SSE's {@code Last-Event-ID} carries a cursor too, and the token may
 * come as {@code Authorization: Bearer}, so the header limit grows with them. Vert.x's decoder
 * applies them; whatever reads a request head below it applies the same.
 */
public final class RequestHeadSizes {

  /** A JWT, in the query or in a header: claims with a few dozen topic patterns. */
  static final int TOKEN_BYTES = 8 * 1024;
  /** Method, path, version, the other parameters (timeout, limit), and slack. */
  static final int OTHER_LINE_BYTES = 1024;
  /** Ordinary headers (Host, User-Agent, Cookie, Origin, Accept…): Vert.x's default limit. */
  static final int OTHER_HEADER_BYTES = 8 * 1024;
  private static final int ENCODED_SEPARATOR = 3;

  private RequestHeadSizes() {
  }

  /** {@code topics=} and {@code cursor=} of the largest subscription, percent-encoded, plus a token. */
  public static int maxLine(GatewayConfig config) {
    long topics = config.maxTopicsPerSubscription();
    long topicsParam = topics * (Topics.MAX_LENGTH + ENCODED_SEPARATOR);
    // An entry's two colons grow by two bytes each, and a comma follows it.
    long cursorParam = topics * (Cursor.MAX_ENTRY_LENGTH + 2 * (ENCODED_SEPARATOR - 1) + ENCODED_SEPARATOR);
    return (int) Math.min(Integer.MAX_VALUE, topicsParam + cursorParam + TOKEN_BYTES + OTHER_LINE_BYTES);
  }

  /** A full cursor in {@code Last-Event-ID}, a bearer token, and the ordinary headers. */
  public static int maxHeaders(GatewayConfig config) {
    long cursor = (long) config.maxTopicsPerSubscription() * (Cursor.MAX_ENTRY_LENGTH + 1);
    return (int) Math.min(Integer.MAX_VALUE, cursor + TOKEN_BYTES + OTHER_HEADER_BYTES);
  }
}
