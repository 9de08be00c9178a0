package io.pushgateway.loadtest.report;

import io.pushgateway.loadtest.Scenario;
import io.pushgateway.loadtest.Sweep;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The top level of result.json; SCHEMA.md documents every field. */
public final class ResultDocument {
  /** Bump only for incompatible changes; adding fields keeps the version. */
  public static final String SCHEMA = "push-loadtest/1";

  private ResultDocument() {
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
        .put("values", new JsonArray(sweep.values())))
      .put("runs", runs);
  }
}
