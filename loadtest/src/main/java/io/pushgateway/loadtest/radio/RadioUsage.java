package io.pushgateway.loadtest.radio;

import io.vertx.core.json.JsonObject;

/**
 * What a packet timeline cost one phone's radio over a stretch of time.
 *
 * @param seconds            the stretch
 * @param radioActiveSeconds time out of the idle state, promotions included
 * @param highPowerSeconds   time in the highest state (LTE's RRC_CONNECTED, 3G's DCH) or promoting
 * @param energyJ            energy above the idle state's floor, transfers included
 * @param promotions         promotions out of a lower state
 * @param packets            packets up and down
 */
public record RadioUsage(double seconds, double radioActiveSeconds, double highPowerSeconds, double energyJ,
                         long promotions, long packets) {

  /** The mean of several phones' usage over the same stretch. */
  public static RadioUsage mean(java.util.List<RadioUsage> all) {
    if (all.isEmpty()) {
      return null;
    }
    double n = all.size();
    return new RadioUsage(all.get(0).seconds(),
      all.stream().mapToDouble(RadioUsage::radioActiveSeconds).sum() / n,
      all.stream().mapToDouble(RadioUsage::highPowerSeconds).sum() / n,
      all.stream().mapToDouble(RadioUsage::energyJ).sum() / n,
      Math.round(all.stream().mapToLong(RadioUsage::promotions).sum() / n),
      Math.round(all.stream().mapToLong(RadioUsage::packets).sum() / n));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("seconds", round(seconds, 1))
      .put("radioActiveSeconds", round(radioActiveSeconds, 1))
      .put("highPowerShare", seconds <= 0 ? null : round(highPowerSeconds / seconds, 4))
      .put("energyJ", round(energyJ, 2))
      .put("promotions", promotions)
      .put("packets", packets);
  }

  static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
