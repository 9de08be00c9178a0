package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.GatewayMain;
import io.pushgateway.gateway.testing.ProbeJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway cluster node as a real process ({@code java -cp <test classpath> GatewayMain
 * --cluster …}) on 127.0.0.1, so it can be killed like a real one. Its output goes to
 * {@code target/cluster-test/<name>.log}; the HTTP port and the cluster size are read from it.
 */
final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");
  private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+)");
  private static final Random PORTS = new Random();
  /** Ports handed out in this JVM, never handed out twice. */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  final String name;
  final int clusterPort;
  private final Process process;
  private volatile int httpPort;
  private volatile int members;

  private GatewayProcess(String name, int clusterPort, Process process) {
    this.name = name;
    this.clusterPort = clusterPort;
    this.process = process;
  }

  /**
   * A free port for a Hazelcast member, below the range the system hands out to outgoing
   * connections and to listeners on port 0 (32768 and up on Linux): a port from that range,
   * free now, was at times taken by another node's connection or event bus before its own node
   * bound it.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + PORTS.nextInt(12_000);
      if (!GIVEN.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static GatewayProcess start(String name, int clusterPort, List<Integer> memberPorts, String... extraArgs)
    throws IOException {
    List<String> jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      // A killed member is noticed within seconds (the gateway's default is 10).
      "-Dhazelcast.max.no.heartbeat.seconds=5");
    List<String> args = new ArrayList<>(List.of(
      "--host", "127.0.0.1", "--port", "0", "--set", "instances=2",
      "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(clusterPort),
      "--cluster-members", String.join(",", memberPorts.stream().map(p -> "127.0.0.1:" + p).toList())));
    args.addAll(List.of(extraArgs));
    Process process = ProbeJvm.command(GatewayMain.class, jvmOptions, args).start();
    GatewayProcess node = new GatewayProcess(name, clusterPort, process);
    Path log = Path.of("target", "cluster-test", name + ".log");
    Files.createDirectories(log.getParent());
    Thread reader = new Thread(() -> node.follow(log), "output-" + name);
    reader.setDaemon(true);
    reader.start();
    return node;
  }

  private void follow(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        Matcher listening = LISTENING.matcher(line);
        Matcher size = MEMBERS.matcher(line);
        synchronized (this) {
          if (listening.find()) {
            httpPort = Integer.parseInt(listening.group(1));
          } else if (size.find()) {
            members = Integer.parseInt(size.group(1));
          }
          notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  int port() {
    return httpPort;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the node serves HTTP, which it does only after joining the cluster. */
  GatewayProcess awaitListening(Duration timeout) throws Exception {
    await(timeout, "listening", ignored -> httpPort > 0);
    return this;
  }

  /** Waits until this node has seen a cluster of {@code size} members. */
  void awaitMembers(int size, Duration timeout) throws Exception {
    await(timeout, size + " members", ignored -> members == size);
  }

  private synchronized void await(Duration timeout, String what, IntPredicate condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(0)) {
      long left = deadline - System.nanoTime();
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before " + what
          + "; see target/cluster-test/" + name + ".log");
      }
      if (left <= 0) {
        throw new TimeoutException(name + ": not " + what + " in " + timeout + " (members " + members + ")");
      }
      TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }

  /** kill -9: no goodbye to the cluster, no close frames to clients. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (a graceful stop), then kill -9 if it takes too long. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  void destroyNow() {
    process.destroyForcibly();
  }
}
