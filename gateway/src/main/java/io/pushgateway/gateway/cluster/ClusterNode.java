package io.pushgateway.gateway.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * This process as a member of a gateway cluster: a Vert.x whose event bus is clustered through
 * Hazelcast, joined over TCP/IP to the configured members (multicast and auto-detection are never
 * used: a gateway joins exactly whom it is told to), and the Hazelcast member it runs, which the
 * cluster log uses ({@code Gateway.deploy(ClusterNode, …)}).
 */
public final class ClusterNode {

  /** Hazelcast's cluster name: members of other Hazelcast clusters on the same hosts stay apart. */
  static final String CLUSTER_NAME = "push-gateway";

  /**
   * Hazelcast settings chosen for a push gateway, each overridable with {@code -Dkey=value}: join
   * without the default 5 s pause, notice a dead member within seconds rather than a minute (its
   * clients are waiting to resume elsewhere), and let the gateway, not Hazelcast's own hook,
   * leave the cluster on SIGTERM, after its clients have been told to go.
   */
  private static final Map<String, String> PROPERTIES = Map.of(
    "hazelcast.wait.seconds.before.join", "1",
    "hazelcast.heartbeat.interval.seconds", "1",
    "hazelcast.max.no.heartbeat.seconds", "10",
    "hazelcast.shutdownhook.enabled", "false",
    "hazelcast.phone.home.enabled", "false",
    // expired presence leases are removed (and their listeners told) within a second, not after
    // the default sweep's 5
    "hazelcast.internal.map.expiration.task.period.seconds", "1");

  private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());
  private static final String BIND_ANY = "hazelcast.socket.bind.any";

  private final Vertx vertx;
  private final HazelcastClusterManager manager;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.manager = manager;
  }

  /** The clustered Vert.x. */
  public Vertx vertx() {
    return vertx;
  }

  /** The Hazelcast member this node's Vert.x joined with; kept here, not fished out of Vert.x's internals. */
  public HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** Vert.x options with this node's clustered event bus address (its host and port). */
  public static VertxOptions options(GatewayConfig config) {
    VertxOptions options = new VertxOptions();
    if (!config.clusterHost().isEmpty()) {
      options.getEventBusOptions().setHost(config.clusterHost());
    }
    options.getEventBusOptions().setPort(config.clusterEventBusPort());
    return options;
  }

  /**
   * Builds a clustered Vert.x from {@code builder} (made with {@link #options}), complete once
   * this node has joined the cluster.
   */
  public static Future<ClusterNode> join(GatewayConfig config, VertxBuilder builder) {
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(config);
    } catch (UnknownHostException e) {
      return Future.failedFuture("clusterHost: cannot resolve " + e.getMessage());
    }
    if (config.clusterHost().isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "clusterHost is not set: the member port listens on every interface, "
        + "and members do not authenticate each other; set it to this node's address on a private network");
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    return builder.withClusterManager(manager).buildClustered().map(vertx -> new ClusterNode(vertx, manager));
  }

  /** Vert.x's own maps (from its default cluster config) plus the gateway's network and history. */
  static Config hazelcastConfig(GatewayConfig config) throws UnknownHostException {
    Config hazelcast = ConfigUtil.loadConfig();
    hazelcast.setClusterName(CLUSTER_NAME);
    PROPERTIES.forEach((key, value) -> {
      if (System.getProperty(key) == null) {
        hazelcast.setProperty(key, value);
      }
    });

    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(false);
    if (!config.clusterHost().isEmpty()) {
      String ip = InetAddress.getByName(config.clusterHost()).getHostAddress();
      network.getInterfaces().setEnabled(true).addInterface(ip);
      // Members do not authenticate each other: whoever reaches the member port can join and
      // read or write every history. Hazelcast binds every interface even when told which one
      // to use; listen on the cluster's address alone (unless -D says otherwise).
      if (System.getProperty(BIND_ANY) == null) {
        hazelcast.setProperty(BIND_ANY, "false");
      }
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());

    // OBJECT: an append changes one slot of a live object instead of re-serializing the whole
    // history; backups are synchronous by default, so an acknowledged append has a copy on another
    // member (asynchronous ones answer before it is there: a faster publish that a node's death
    // may lose). An entry processor counts as an access for the max-idle time, read-only ones included.
    boolean async = config.clusterAsyncBackups();
    hazelcast.addMapConfig(new MapConfig(HazelcastEventLog.TOPICS_MAP)
      .setInMemoryFormat(InMemoryFormat.OBJECT)
      .setBackupCount(async ? 0 : config.clusterBackupCount())
      .setAsyncBackupCount(async ? config.clusterBackupCount() : 0)
      .setReadBackupData(false)
      // a topic no append, read or subscriber's keep-alive touched for topicIdleSeconds goes
      .setMaxIdleSeconds((int) (config.topicIdleMillis() / 1000)));
    // presence: one small entry per occupant, backed up like the histories
    hazelcast.addMapConfig(new MapConfig(HazelcastPresence.PRESENCE_MAP)
      .setBackupCount(config.clusterBackupCount())
      .setAsyncBackupCount(0));
    return hazelcast;
  }
}
