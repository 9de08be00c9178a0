package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node told its cluster address ({@code clusterHost}) listens for members there alone: members
 * do not authenticate each other, so a member port on every interface would let anyone who
 * reaches the host join the cluster and read or write its histories. Hazelcast bound every
 * interface even when told which one to use.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterBindTest {

  @Test
  void theMemberPortListensOnTheClusterAddressAlone() throws Exception {
    Optional<InetAddress> other = otherLocalAddress();
    assumeTrue(other.isPresent(), "this host has no address besides loopback to try the member port on");
    int port = GatewayProcess.freePort();
    GatewayConfig config = GatewayConfig.fromJson(new io.vertx.core.json.JsonObject()
      .put("cluster", true).put("clusterHost", "127.0.0.1").put("clusterPort", port)
      .put("clusterMembers", "127.0.0.1:" + port));
    ClusterNode node = ClusterNode.join(config, Vertx.builder().with(ClusterNode.options(config)))
      .await(90, TimeUnit.SECONDS);
    try {
      assertThat(connects(InetAddress.getLoopbackAddress(), port)).isTrue();
      assertThatThrownBy(() -> connects(other.get(), port)).isInstanceOf(ConnectException.class);
    } finally {
      node.vertx().close().await(60, TimeUnit.SECONDS);
    }
  }

  private static boolean connects(InetAddress address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 5_000);
      return true;
    }
  }

  /** An IPv4 address of an interface that is up, other than loopback. */
  private static Optional<InetAddress> otherLocalAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return Optional.of(address);
          }
        }
      }
    }
    return Optional.empty();
  }
}
