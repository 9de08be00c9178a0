package io.pushgateway.gateway.core;

import java.util.List;

/**
 * "Events of these topics after this cursor, at most {@code limit}". A topic the cursor does not
 * name starts at the topic's latest id ("now"); with {@code limit} 0 only the cursor is resolved.
 */
public record ReadRequest(List<String> topics, Cursor cursor, int limit) {
}
