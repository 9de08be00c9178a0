package io.pushgateway.loadtest.client;

/**
 * What the gateway's subscribers ask for (docs/PROTOCOL.md): its default JSON events or the compact
 * format, each with or without deltas ({@code delta=merge}: data as a JSON Merge Patch from the
 * previous event's, which carries the {@code seq} and {@code t} that change and leaves out the
 * payload that does not, so a repeated payload shows what deltas save).
 */
public record SubscriberFormat(boolean compact, boolean deltas) {

  public static final SubscriberFormat JSON = new SubscriberFormat(false, false);
  public static final SubscriberFormat COMPACT = new SubscriberFormat(true, false);

  /** {@code json}, {@code compact}, {@code json+delta} or {@code compact+delta}. */
  public static SubscriberFormat of(String name) {
    return switch (name) {
      case "json" -> JSON;
      case "compact" -> COMPACT;
      case "json+delta" -> new SubscriberFormat(false, true);
      case "compact+delta" -> new SubscriberFormat(true, true);
      default -> throw new IllegalArgumentException("--format must be json, compact, json+delta or compact+delta");
    };
  }

  /** The name {@link #of} takes, as results record it. */
  public String label() {
    return (compact ? "compact" : "json") + (deltas ? "+delta" : "");
  }

  /** What a gateway subscriber adds to its query. */
  String query() {
    return (compact ? "&format=compact" : "") + (deltas ? "&delta=merge" : "");
  }
}
