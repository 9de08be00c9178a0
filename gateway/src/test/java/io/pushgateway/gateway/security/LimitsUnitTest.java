package io.pushgateway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

/** The pure logic behind the limits and auth: buckets, connection counts, topic patterns. */
class LimitsUnitTest {

  @Test
  void aBucketGivesABurstOfOneSecondsWorthThenRefuses() {
    TokenBucket bucket = new TokenBucket(50);
    int taken = 0;
    while (bucket.tryTake()) {
      taken++;
    }
    // 50 in the burst, perhaps one or two more refilled while the loop ran on a slow machine.
    assertThat(taken).isBetween(50, 55);
    assertThat(bucket.isIdle()).isFalse();
  }

  @Test
  void anIpv6ClientIsItsPrefixAndAMappedIpv4ClientItsIpv4Address() {
    Limits limits = new Limits(GatewayConfig.defaults());
    assertThat(limits.clientOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:2:aaaa:bbbb:cccc:dddd")))
      .isEqualTo(limits.clientOf(SocketAddress.inetSocketAddress(2, "2001:db8:1:2::1")))
      .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(limits.clientOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:3::1"))).isEqualTo("2001:db8:1:3:0:0:0:0/64");
    assertThat(limits.clientOf(SocketAddress.inetSocketAddress(1, "::ffff:10.1.2.3"))).isEqualTo("10.1.2.3");
    assertThat(limits.clientOf(SocketAddress.inetSocketAddress(1, "10.1.2.3"))).isEqualTo("10.1.2.3");
    assertThat(limits.clientOf(SocketAddress.inetSocketAddress(1, "fe80::1")))
      .isNotEqualTo(limits.clientOf(SocketAddress.inetSocketAddress(1, "fe80::2")));
    assertThat(limits.clientOf(null)).isEqualTo("unknown");

    Limits bits60 = new Limits(GatewayConfig.defaults().with("ipv6PrefixLength", 60));
    assertThat(bits60.clientOf(SocketAddress.inetSocketAddress(1, "2001:db8:1:2f:1::1"))).isEqualTo("2001:db8:1:20:0:0:0:0/60");
    Limits each = new Limits(GatewayConfig.defaults().with("ipv6PrefixLength", 128));
    assertThat(each.clientOf(SocketAddress.inetSocketAddress(1, "2001:db8::1")))
      .isNotEqualTo(each.clientOf(SocketAddress.inetSocketAddress(1, "2001:db8::2")));
  }

  @Test
  void connectionsAreCountedPerAddressAndInTotal() {
    Limits limits = new Limits(GatewayConfig.defaults().with("maxConnectionsPerIp", 2).with("maxConnections", 3));
    assertThat(limits.open("10.0.0.1")).isTrue();
    assertThat(limits.open("10.0.0.1")).isTrue();
    assertThat(limits.open("10.0.0.1")).isFalse();
    assertThat(limits.open("10.0.0.2")).isTrue();
    assertThat(limits.open("10.0.0.3")).isFalse();
    assertThat(limits.openConnections()).isEqualTo(3);
    limits.close("10.0.0.1");
    assertThat(limits.open("10.0.0.3")).isTrue();
    limits.close("10.0.0.3");
    limits.sweep();
    assertThat(limits.open("10.0.0.1")).isTrue();
    assertThat(limits.open("10.0.0.1")).isFalse();
  }

  @Test
  void unlimitedByDefault() {
    Limits limits = new Limits(GatewayConfig.defaults());
    for (int i = 0; i < 1000; i++) {
      assertThat(limits.open("10.0.0.1")).isTrue();
    }
    assertThat(limits.ipBucket("10.0.0.1")).isNull();
    assertThat(limits.connectionBucket()).isNull();
  }

  @Test
  void grantsMatchTopicPatterns() {
    Grants grants = Grants.of(new JsonObject().put("topics", new JsonObject()
      .put("sub", new JsonArray().add("prices").add("chat.*").add("a*z").add("*.news"))
      .put("pub", new JsonArray().add("*"))));
    assertThat(grants.maySubscribe("prices")).isTrue();
    assertThat(grants.maySubscribe("prices2")).isFalse();
    assertThat(grants.maySubscribe("chat.room-1")).isTrue();
    assertThat(grants.maySubscribe("chat")).isFalse();
    assertThat(grants.maySubscribe("abcz")).isTrue();
    assertThat(grants.maySubscribe("eu.news")).isTrue();
    assertThat(grants.maySubscribe("eu.news.x")).isFalse();
    assertThat(grants.mayPublish("anything")).isTrue();
    assertThat(Grants.of(new JsonObject()).maySubscribe("prices")).isFalse();
    assertThat(Grants.of(new JsonObject().put("topics", "prices")).maySubscribe("prices")).isFalse();
  }
}
