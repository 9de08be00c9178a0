package io.pushgateway.gateway.core;

/**
 * What a publish got from the log: its event, stored now, or, for a publish whose idempotency key
 * the topic's history already keeps ({@link PublishKeys}), the event stored the first time.
 */
public record Stored(Event event, boolean duplicate) {
}
