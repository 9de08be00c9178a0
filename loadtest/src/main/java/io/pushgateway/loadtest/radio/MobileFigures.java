package io.pushgateway.loadtest.radio;

import io.pushgateway.loadtest.net.PacketTimeline;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code runs[].mobile} section: what one subscriber's traffic costs a phone's radio, from the
 * packet timelines of the subscribers the proxy sampled. Each timeline's measured window becomes an
 * hour ({@link RadioSimulation#hourFromWindow}); the figures are the mean over the sampled phones.
 */
public final class MobileFigures {
  private MobileFigures() {
  }

  /**
   * @param timelines     sampled connections; those opened after {@code fromNanos} (reconnects) are left out,
   *                      as their window is partial
   * @param eventsPerSecond events each subscriber receives per second, for the energy per event
   */
  public static JsonObject of(RadioModel model, List<PacketTimeline> timelines, long fromNanos, long toNanos,
                              double eventsPerSecond) {
    return ofPackets(model, snapshots(timelines), fromNanos, toNanos, eventsPerSecond);
  }

  /** The timelines as they stand now, taken once so that every model sees the same packets. */
  private static List<PacketTimeline.Snapshot> snapshots(List<PacketTimeline> timelines) {
    return timelines.stream().map(PacketTimeline::snapshot).toList();
  }

  private static JsonObject ofPackets(RadioModel model, List<PacketTimeline.Snapshot> timelines, long fromNanos,
                                      long toNanos, double eventsPerSecond) {
    List<RadioUsage> hours = new ArrayList<>();
    boolean truncated = false;
    for (PacketTimeline.Snapshot t : timelines) {
      if (t.count() == 0 || t.atNanos(0) >= fromNanos) {
        continue;
      }
      truncated |= t.truncated();
      hours.add(RadioSimulation.hourFromWindow(model, t, fromNanos, toNanos));
    }
    RadioUsage hour = RadioUsage.mean(hours);
    JsonObject out = new JsonObject()
      .put("radio", model.name())
      .put("sampledSubscribers", hours.size())
      .put("windowSeconds", RadioUsage.round((toNanos - fromNanos) / 1e9, 3))
      .put("truncated", truncated);
    if (hour == null) {
      return out.put("radioActiveSecondsPerHour", null).put("highPowerShare", null).put("energyJPerHour", null)
        .put("energyMJPerEvent", null).put("promotionsPerHour", null).put("packetsPerHour", null);
    }
    double eventsPerHour = eventsPerSecond * RadioSimulation.HOUR_SECONDS;
    return out
      .put("radioActiveSecondsPerHour", RadioUsage.round(hour.radioActiveSeconds(), 1))
      .put("highPowerShare", RadioUsage.round(hour.highPowerSeconds() / hour.seconds(), 4))
      .put("energyJPerHour", RadioUsage.round(hour.energyJ(), 2))
      .put("energyMJPerEvent", eventsPerHour > 0 ? RadioUsage.round(hour.energyJ() * 1000 / eventsPerHour, 3) : null)
      .put("promotionsPerHour", hour.promotions())
      .put("packetsPerHour", hour.packets());
  }

  /**
   * The same under every built-in model and the chosen one, by model name: LTE, 3G and WiFi side
   * by side, each model run once on one snapshot of the timelines.
   */
  public static JsonObject byRadio(RadioModel chosen, List<PacketTimeline> timelines, long fromNanos, long toNanos,
                                   double eventsPerSecond) {
    List<PacketTimeline.Snapshot> packets = snapshots(timelines);
    JsonObject out = new JsonObject();
    for (String name : RadioModel.BUILT_IN) {
      RadioModel model = name.equals(chosen.name()) ? chosen : RadioModel.load(name);
      out.put(name, ofPackets(model, packets, fromNanos, toNanos, eventsPerSecond));
    }
    if (!out.containsKey(chosen.name())) {
      out.put(chosen.name(), ofPackets(chosen, packets, fromNanos, toNanos, eventsPerSecond));
    }
    return out;
  }

  /** The model as the result document describes it: its name, title, sources and every parameter. */
  public static JsonObject describe(RadioModel model) {
    return model.json().copy();
  }
}
