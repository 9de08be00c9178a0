package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.target.Peer;
import io.pushgateway.loadtest.stats.SubscriberTracker;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The four transports, named as everywhere in the project, each with its load client. */
public enum Transport {
  WS("ws", false),
  SSE("sse", false),
  LONG("long", true),
  SHORT("short", true);

  private final String wireName;
  private final boolean polling;

  Transport(String wireName, boolean polling) {
    this.wireName = wireName;
    this.polling = polling;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether the transport answers HTTP requests with poll bodies (and so has empty polls). */
  public boolean polling() {
    return polling;
  }

  public LoadClient newClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    if (ctx.peer() == Peer.SOCKETIO) {
      return switch (this) {
        // WebSocket as socket.io-client reaches it by default: long-polling first, then the upgrade
        case WS -> new SocketIoPollClient(ctx, endpoint, tracker, true);
        case LONG -> new SocketIoPollClient(ctx, endpoint, tracker, false);
        default -> throw new IllegalArgumentException("Socket.IO has no " + wireName + " transport");
      };
    }
    if (ctx.peer() == Peer.NCHAN) {
      return switch (this) {
        case WS -> new NchanWsClient(ctx, endpoint, tracker);
        case SSE -> new NchanSseClient(ctx, endpoint, tracker);
        case LONG -> new NchanPollClient(ctx, endpoint, tracker, false);
        case SHORT -> new NchanPollClient(ctx, endpoint, tracker, true);
      };
    }
    if (ctx.javaClient()) {
      return new JavaLoadClient(ctx, endpoint, tracker, this);
    }
    return switch (this) {
      case WS -> new WsLoadClient(ctx, endpoint, tracker);
      case SSE -> new SseLoadClient(ctx, endpoint, tracker);
      case LONG -> new LongPollLoadClient(ctx, endpoint, tracker);
      case SHORT -> new ShortPollLoadClient(ctx, endpoint, tracker);
    };
  }

  public static Transport of(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Transport t : values()) {
      if (t.wireName.equals(n)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transport '" + name + "', expected one of " + names());
  }

  public static List<Transport> parseList(String csv) {
    List<Transport> list = Arrays.stream(csv.split(",")).filter(s -> !s.isBlank()).map(Transport::of)
      .distinct().toList();
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no transport given, expected some of " + names());
    }
    return list;
  }

  public static String names() {
    return Arrays.stream(values()).map(Transport::wireName).collect(Collectors.joining(","));
  }
}
