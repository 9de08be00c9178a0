package io.pushgateway.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package tree is the architecture, and these rules keep it so: layers that point one way,
 * no package cycles, a core with nothing of HTTP or Netty in it, and Netty and Vert.x internals
 * reached from two packages only ({@code wire} and {@code transport.netty}), so a Vert.x or Netty
 * upgrade that breaks the fast path breaks it in one place, with {@code writePath=vertx} beside it.
 */
@AnalyzeClasses(packages = "io.pushgateway.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String GATEWAY = "io.pushgateway.gateway";

  @ArchTest
  static final ArchRule noPackageCycles = slices().matching(GATEWAY + ".(**)").should().beFreeOfCycles();

  /**
   * Bottom to top: core; config; the histories and the wire formats; metrics; the raw write path;
   * the HTTP answers; security; presence; the cluster; the transports; the API; the gateway that
   * deploys it all (and the demo publisher beside it).
   */
  @ArchTest
  static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
    .withOptionalLayers(true)
    .layer("core").definedBy(GATEWAY + ".core..")
    .layer("config").definedBy(GATEWAY + ".config..")
    .layer("history").definedBy(GATEWAY + ".history..")
    .layer("wire").definedBy(GATEWAY + ".wire..")
    .layer("metrics").definedBy(GATEWAY + ".metrics..")
    .layer("http").definedBy(GATEWAY + ".http..")
    .layer("security").definedBy(GATEWAY + ".security..")
    .layer("presence").definedBy(GATEWAY + ".presence..")
    .layer("cluster").definedBy(GATEWAY + ".cluster..")
    .layer("transport").definedBy(GATEWAY + ".transport..")
    .layer("api").definedBy(GATEWAY + ".api..")
    .layer("demo").definedBy(GATEWAY + ".demo..")
    .layer("gateway").definedBy(GATEWAY)
    .whereLayer("gateway").mayNotBeAccessedByAnyLayer()
    .whereLayer("api").mayOnlyBeAccessedByLayers("gateway")
    .whereLayer("demo").mayOnlyBeAccessedByLayers("gateway")
    .whereLayer("transport").mayOnlyBeAccessedByLayers("api", "gateway")
    .whereLayer("cluster").mayOnlyBeAccessedByLayers("gateway")
    .whereLayer("presence").mayOnlyBeAccessedByLayers("cluster", "transport", "api", "gateway")
    .whereLayer("security").mayOnlyBeAccessedByLayers("cluster", "transport", "api", "gateway")
    .whereLayer("http").mayOnlyBeAccessedByLayers("security", "transport", "api", "gateway")
    .whereLayer("metrics").mayOnlyBeAccessedByLayers("http", "security", "transport", "api", "gateway")
    .whereLayer("wire").mayOnlyBeAccessedByLayers("transport", "api", "gateway")
    .whereLayer("history").mayOnlyBeAccessedByLayers("cluster", "gateway")
    .whereLayer("config").mayOnlyBeAccessedByLayers(
      "history", "metrics", "http", "security", "presence", "cluster", "transport", "api", "demo", "gateway");

  /** Events, positions, cursors, topics, the log's interface, hubs and live streams: no transport in sight. */
  @ArchTest
  static final ArchRule coreKnowsNoHttpNorNetty = noClasses().that().resideInAPackage(GATEWAY + ".core..")
    .should().dependOnClassesThat().resideInAnyPackage(
      "io.netty..", "io.vertx.core.http..", "io.vertx.core.net..", "io.vertx.ext..", "..impl..", "..internal..");

  @ArchTest
  static final ArchRule internalsInTwoPackagesOnly = noClasses()
    .that().resideOutsideOfPackages(GATEWAY + ".wire..", GATEWAY + ".transport.netty..")
    .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.vertx..impl..", "io.vertx..internal..")
    .as("only wire and transport.netty reach Netty or Vert.x internals");
}
