package io.pushgateway.client;

/** What the client counted so far. */
public final class Stats {

  public final long events;
  public final long duplicates;
  public final long gaps;
  public final long resets;
  public final long reconnects;
  public final long refreshes;
  /** Events whose data came as a patch ({@link PushClient.Builder#deltas()}). */
  public final long patches;
  /** The transport in use, or null while not connected. */
  public final Transport transport;

  Stats(long events, long duplicates, long gaps, long resets, long reconnects, long refreshes, long patches,
        Transport transport) {
    this.events = events;
    this.duplicates = duplicates;
    this.gaps = gaps;
    this.resets = resets;
    this.reconnects = reconnects;
    this.refreshes = refreshes;
    this.patches = patches;
    this.transport = transport;
  }

  @Override
  public String toString() {
    return "events " + events + ", duplicates " + duplicates + ", gaps " + gaps + ", resets " + resets
      + ", reconnects " + reconnects + ", refreshes " + refreshes + ", patches " + patches + ", transport " + transport;
  }
}
