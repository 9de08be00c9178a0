package io.pushgateway.gateway.security;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.vertx.core.net.SocketAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway-wide limits, shared by every event loop: open connections per client address
 * ({@link #clientOf}) and in total, each address's publish bucket, and the bytes of publishes
 * being received. Touched when a connection opens or closes and once per publish, never per
 * delivered event. A limit of 0 is off.
 */
public final class Limits {

  private final int maxConnections;
  private final int maxConnectionsPerIp;
  private final int publishRatePerIp;
  private final int publishRatePerConnection;
  private final long maxReceivingBytes;
  private final int ipv6PrefixLength;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong receiving = new AtomicLong();
  private final ConcurrentHashMap<String, Client> clients = new ConcurrentHashMap<>();
  private final int maxStreamsPerUser;
  /** The streams each token {@code sub} holds now, while it holds any. */
  private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();
  /** The hold of every stream no limit counts: releasing it does nothing. */
  private final UserStream uncounted = new UserStream(null);

  public Limits(GatewayConfig config) {
    this.maxConnections = config.maxConnections();
    this.maxConnectionsPerIp = config.maxConnectionsPerIp();
    this.publishRatePerIp = config.publishRatePerIp();
    this.publishRatePerConnection = config.publishRatePerConnection();
    this.maxReceivingBytes = config.maxReceivingBytes();
    this.ipv6PrefixLength = config.ipv6PrefixLength();
    this.maxStreamsPerUser = config.maxConnectionsPerUser();
  }

  /** A stream counted against its user's {@code maxConnectionsPerUser}; given back once, however often released. */
  public final class UserStream {
    private final String user;
    private final AtomicBoolean held;

    private UserStream(String user) {
      this.user = user;
      this.held = new AtomicBoolean(user != null);
    }

    public void release() {
      if (held.compareAndSet(true, false)) {
        users.computeIfPresent(user, (key, streams) -> streams > 1 ? streams - 1 : null);
      }
    }
  }

  /**
   * Counts a WebSocket or SSE stream of the bearer of {@code user} (a token's {@code sub}; null:
   * none, as without auth), or returns null, counting nothing, when that user holds
   * {@code maxConnectionsPerUser} already.
   */
  /** What a stream refused by {@link #holdStream} is answered. */
  public GatewayException userStreamsFull() {
    return new GatewayException(ErrorCode.OVERLOADED, "this user holds " + maxStreamsPerUser
      + " streams already (maxConnectionsPerUser): close one, or retry later");
  }

  public UserStream holdStream(String user) {
    if (user == null || maxStreamsPerUser <= 0) {
      return uncounted;
    }
    boolean[] admitted = {true};
    users.compute(user, (key, streams) -> {
      int now = streams == null ? 0 : streams;
      if (now >= maxStreamsPerUser) {
        admitted[0] = false;
        return streams;
      }
      return now + 1;
    });
    return admitted[0] ? new UserStream(user) : null;
  }

  /**
   * The client address a connection counts against: an IPv4 address as it is, an IPv6 address by
   * its first {@code ipv6PrefixLength} bits ({@code 2001:db8:1:2:0:0:0:0/64}), an IPv4-mapped one
   * as its IPv4 address, a link-local one as it is. A host is routinely given a whole /64 and may
   * take a fresh address in it for every connection, so limits kept per full IPv6 address would
   * bound nothing.
   */
  public String clientOf(SocketAddress address) {
    String host = address == null ? null : address.hostAddress();
    if (host == null) {
      return "unknown";
    }
    if (host.indexOf(':') < 0) {
      return host;
    }
    try {
      InetAddress parsed = InetAddress.getByName(host); // a literal: parsed, never looked up
      if (parsed instanceof Inet4Address || parsed.isLinkLocalAddress()) {
        return parsed.getHostAddress(); // every client on a link shares fe80::/64: each counts alone
      }
      byte[] bits = parsed.getAddress();
      for (int i = 0; i < bits.length; i++) {
        int kept = Math.min(8, Math.max(0, ipv6PrefixLength - 8 * i));
        bits[i] &= (byte) (0xff00 >> kept);
      }
      return InetAddress.getByAddress(bits).getHostAddress() + "/" + ipv6PrefixLength;
    } catch (UnknownHostException notALiteral) {
      return host;
    }
  }

  /**
   * Reserves {@code bytes} of what the publishes being received may hold at once
   * ({@code maxReceivingBytes}); false, and nothing reserved, when that is taken. Each reservation
   * is given back once, with {@link #releaseReceiving}.
   */
  public boolean reserveReceiving(long bytes) {
    long now;
    do {
      now = receiving.get();
      if (now + bytes > maxReceivingBytes) {
        return false;
      }
    } while (!receiving.compareAndSet(now, now + bytes));
    return true;
  }

  public void releaseReceiving(long bytes) {
    receiving.addAndGet(-bytes);
  }

  /** Bytes reserved by the publishes being received now. */
  public long receivingBytes() {
    return receiving.get();
  }

  /** Counts a new connection from {@code ip}, or refuses it (counting nothing) when over a limit. */
  public boolean open(String ip) {
    if (maxConnections > 0 && open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return false;
    }
    if (maxConnections <= 0) {
      open.incrementAndGet();
    }
    boolean[] admitted = {true};
    clients.compute(ip, (key, client) -> {
      Client c = client == null ? new Client(publishRatePerIp) : client;
      if (maxConnectionsPerIp > 0 && c.connections >= maxConnectionsPerIp) {
        admitted[0] = false;
      } else {
        c.connections++;
      }
      return c;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
    }
    return admitted[0];
  }

  /** A connection counted by {@link #open} closed. */
  public void close(String ip) {
    open.decrementAndGet();
    clients.computeIfPresent(ip, (key, client) -> {
      client.connections--;
      return client.connections <= 0 && client.idle() ? null : client;
    });
  }

  /** Forgets IPs without connections whose bucket is full again; called now and then. */
  public void sweep() {
    for (String ip : clients.keySet()) {
      // One compute per entry, so a connection opening meanwhile is never forgotten.
      clients.computeIfPresent(ip, (key, client) -> client.connections <= 0 && client.idle() ? null : client);
    }
  }

  /** The publish bucket shared by every connection of {@code ip}, or null when unlimited. */
  public TokenBucket ipBucket(String ip) {
    if (publishRatePerIp <= 0) {
      return null;
    }
    return clients.computeIfAbsent(ip, key -> new Client(publishRatePerIp)).bucket;
  }

  /** What a new connection from {@code ip} may do: its own publish bucket and its address's. */
  public Access access(String ip) {
    TokenBucket connection = connectionBucket();
    TokenBucket address = ipBucket(ip);
    // without publish limits every connection may do the same: one instance for all of them
    return connection == null && address == null ? Access.OPEN : new Access(connection, address);
  }

  /** A new bucket for one connection, or null when unlimited. */
  public TokenBucket connectionBucket() {
    return publishRatePerConnection > 0 ? new TokenBucket(publishRatePerConnection) : null;
  }

  public int openConnections() {
    return open.get();
  }

  /** One client IP; {@code connections} is only changed inside the map's compute calls. */
  private static final class Client {
    private final TokenBucket bucket;
    private int connections;

    Client(int rate) {
      this.bucket = rate > 0 ? new TokenBucket(rate) : null;
    }

    boolean idle() {
      return bucket == null || bucket.isIdle();
    }
  }
}
