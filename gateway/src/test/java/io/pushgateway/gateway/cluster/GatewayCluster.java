package io.pushgateway.gateway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A cluster of gateway processes for one test class, as a field:
 * {@code @RegisterExtension static final GatewayCluster cluster = GatewayCluster.of(3, "node")}.
 * Its nodes are started before the class's tests and stopped after them; a shutdown hook kills
 * whatever is left if the test JVM goes first, so no node outlives the build.
 */
final class GatewayCluster implements BeforeAllCallback, AfterAllCallback {

  /** How long a node may take to serve and to see the whole cluster. */
  static final Duration START = Duration.ofSeconds(90);
  /** How long the whole cluster may take to start. */
  private static final Duration ALL_START = Duration.ofSeconds(150);

  private final int size;
  private final String name;
  private final String[] args;
  private final List<GatewayProcess> nodes = new CopyOnWriteArrayList<>();
  private final Thread reaper = new Thread(() -> nodes.forEach(GatewayProcess::destroyNow));

  private GatewayCluster(int size, String name, String[] args) {
    this.size = size;
    this.name = name;
    this.args = args;
  }

  /** {@code size} nodes named {@code name-a}, {@code name-b}, …, each started with {@code args}. */
  static GatewayCluster of(int size, String name, String... args) {
    return new GatewayCluster(size, name, args);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Runtime.getRuntime().addShutdownHook(reaper);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(GatewayProcess.freePort());
    }
    // The first node forms the cluster; the others then join it (started together they could
    // each form a cluster of their own and merge only minutes later).
    long deadline = System.nanoTime() + ALL_START.toNanos();
    for (int i = 0; i < size; i++) {
      nodes.add(GatewayProcess.start(name + "-" + (char) ('a' + i), ports.get(i), ports, args));
      if (i == 0) {
        nodes.get(0).awaitListening(left(deadline));
      }
    }
    for (GatewayProcess node : nodes) {
      node.awaitListening(left(deadline));
      node.awaitMembers(size, left(deadline));
    }
  }

  /** What is left of the start's time, at most {@link #START} for one wait. */
  private static Duration left(long deadline) {
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    return left.compareTo(START) < 0 ? left : START;
  }

  /** Stops every node with SIGTERM, side by side, then kills any still running. */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<Thread> stops = new ArrayList<>();
    for (GatewayProcess node : nodes) {
      Thread stop = new Thread(() -> {
        try {
          node.close();
        } catch (InterruptedException e) {
          node.destroyNow();
        }
      }, "stop-" + node.name);
      stop.start();
      stops.add(stop);
    }
    for (Thread stop : stops) {
      stop.join(15_000);
    }
    nodes.forEach(GatewayProcess::destroyNow);
    Runtime.getRuntime().removeShutdownHook(reaper);
  }

  /** The nodes, in the order they started; a node a test adds ({@link #add}) is stopped with them. */
  List<GatewayProcess> nodes() {
    return nodes;
  }

  GatewayProcess add(GatewayProcess node) {
    nodes.add(node);
    return node;
  }
}
