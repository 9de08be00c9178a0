package io.pushgateway.loadtest.report;

import io.pushgateway.loadtest.Scenario;
import io.pushgateway.loadtest.Sweep;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.Instant;

/** The top level of result.json; SCHEMA.md documents every field. */
public final class ResultDocument {
  /** Bump only for incompatible changes; adding fields keeps the version. */
  public static final String SCHEMA = "push-loadtest/1";

  private ResultDocument() {
  }

  /** The latency a run must keep, at p99, to count as served in {@link #capacity}. */
  public static final double SERVED_P99_MS = 50;

  /**
   * Per series of a sweep (a transport on a server), the highest swept value at which nothing was
   * lost and p99 stayed within {@value #SERVED_P99_MS} ms, with its deliveries per second; null
   * where no value did.
   */
  static JsonObject capacity(JsonArray runs) {
    Map<String, JsonObject> best = new LinkedHashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.getJsonObject(i);
      String series = Fmt.series(r);
      best.putIfAbsent(series, null);
      Long value = r.getLong("sweepValue");
      Double p99 = Fmt.num(r, "latencyMs.p99");
      Double lost = Fmt.num(r, "integrity.lost");
      if (value == null || p99 == null || lost == null || p99 > SERVED_P99_MS || lost > 0) {
        continue;
      }
      JsonObject current = best.get(series);
      if (current == null || current.getLong("value") < value) {
        best.put(series, new JsonObject().put("value", value).put("deliveredPerSecond", r.getValue("deliveredPerSecond"))
          .put("p99Ms", p99));
      }
    }
    JsonObject out = new JsonObject();
    best.forEach(out::put);
    return out;
  }

  public static JsonObject build(Instant started, Instant finished, Scenario base, Sweep sweep, JsonObject target,
                                 JsonObject loadGenerator, JsonArray runs) {
    return new JsonObject()
      .put("schema", SCHEMA)
      .put("startedAt", started.toString())
      .put("finishedAt", finished.toString())
      .put("machine", new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")))
      .put("target", target)
      .put("loadGenerator", loadGenerator)
      .put("scenario", base.toJson())
      .put("sweep", sweep == null ? null : new JsonObject()
        .put("parameter", sweep.parameter())
        .put("values", new JsonArray(sweep.values()))
        .put("capacity", capacity(runs)))
      .put("runs", runs);
  }
}
