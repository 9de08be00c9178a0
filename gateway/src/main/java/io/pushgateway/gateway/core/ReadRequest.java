package io.pushgateway.gateway.core;

import java.util.List;
import java.util.Set;

/**
 * "Events of these topics after this cursor, at most {@code limit}, and no more than
 * {@code maxBytes} of them unless the first alone is more". A topic the cursor does not name
 * starts at the topic's latest id ("now"); with {@code limit} 0 only the cursor is resolved.
 * The byte bound is for answers built whole, as a poll's is: a client that does not read its
 * answer should hold no more of the gateway than a slow push connection may. The topics in
 * {@code newestOnly} (a conflating subscriber's) answer with their newest event alone, wherever
 * the cursor stood in the same history: skipping is what the subscriber asked for.
 */
public record ReadRequest(List<String> topics, Cursor cursor, int limit, long maxBytes, Set<String> newestOnly) {

  public ReadRequest(List<String> topics, Cursor cursor, int limit, long maxBytes) {
    this(topics, cursor, limit, maxBytes, Set.of());
  }

  /** No bound on bytes. */
  public ReadRequest(List<String> topics, Cursor cursor, int limit) {
    this(topics, cursor, limit, Long.MAX_VALUE);
  }

  /** The same read from {@code from}. */
  public ReadRequest from(Cursor from) {
    return new ReadRequest(topics, from, limit, maxBytes, newestOnly);
  }
}
