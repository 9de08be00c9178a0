package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;

/**
 * Nchan polling subscriber. Long polling holds {@code GET /sub/<channel>} until a message comes;
 * interval polling asks {@code GET /poll/<channel>} and gets 304 at once when nothing is new, then
 * waits the poll interval. Either way the last message's id comes back as {@code Last-Modified}
 * (its time) and {@code Etag} (its tag) and goes out again as {@code If-Modified-Since} and
 * {@code If-None-Match}. A long-poll answer holding several messages is {@code multipart/mixed}
 * (the headers name the last one); an interval-poll answer holds one message, and the next poll
 * goes out at once.
 */
final class NchanPollClient implements LoadClient {
  private final ClientContext ctx;
  private final SubscriberTracker tracker;
  private final HttpLink link;
  private final boolean interval;
  private final Promise<Void> ready = Promise.promise();
  private String lastModified;
  private String etag;
  private int failures;
  private boolean closed;

  /** @param interval interval polling ({@code /poll}); else long polling ({@code /sub}) */
  NchanPollClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker, boolean interval) {
    this.ctx = ctx;
    this.tracker = tracker;
    this.link = new HttpLink(ctx, endpoint);
    this.interval = interval;
  }

  @Override
  public Future<Void> start() {
    poll();
    return ready.future();
  }

  private void poll() {
    if (closed) {
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (lastModified != null && etag != null) {
      headers.add("If-Modified-Since", lastModified).add("If-None-Match", etag);
    }
    link.getWith((interval ? "/poll/" : "/sub/") + ctx.topic(), headers)
      .compose(resp -> resp.body().map(body -> {
        onAnswer(resp, body);
        return null;
      }))
      .onFailure(this::onFailure);
  }

  private void onAnswer(HttpClientResponse resp, Buffer body) {
    failures = 0;
    tracker.stats().pollAnswers.increment();
    int status = resp.statusCode();
    if (status == 304 || status == 408) {
      // nothing new (an interval poll at once, a long poll after nginx's timeout)
      tracker.stats().emptyPolls.increment();
      next(false);
      return;
    }
    if (status != 200) {
      onFailure(new IllegalStateException("GET answered " + status));
      return;
    }
    lastModified = resp.getHeader("Last-Modified");
    etag = resp.getHeader("Etag");
    String type = resp.getHeader("Content-Type");
    String boundary = type != null && type.startsWith("multipart/mixed") ? boundary(type) : null;
    if (boundary == null) {
      NchanMessages.deliver(body.toString(StandardCharsets.UTF_8), tracker, ready);
    } else {
      for (String part : parts(body.toString(StandardCharsets.UTF_8), boundary)) {
        NchanMessages.deliver(part, tracker, ready);
      }
    }
    next(true);
  }

  /** Long polls go out again at once; interval polls too after a message, else after the interval. */
  private void next(boolean gotMessage) {
    if (!interval || gotMessage) {
      poll();
    } else {
      ctx.vertx().setTimer(ctx.pollIntervalMs(), t -> poll());
    }
  }

  private void onFailure(Throwable err) {
    if (closed) {
      return;
    }
    tracker.stats().errors.increment();
    failures++;
    if (ClientContext.giveUpStarting(ready, failures, err)) {
      return;
    }
    ctx.vertx().setTimer(ClientContext.RECONNECT_DELAY_MS * Math.min(failures, 10), t -> poll());
  }

  static String boundary(String contentType) {
    int at = contentType.indexOf("boundary=");
    if (at < 0) {
      return null;
    }
    String b = contentType.substring(at + 9).trim();
    int semi = b.indexOf(';');
    b = semi >= 0 ? b.substring(0, semi) : b;
    return b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
  }

  /** The bodies of {@code --B\r\n[headers]\r\n\r\n<body>\r\n--B … --B--}. */
  static java.util.List<String> parts(String body, String boundary) {
    java.util.List<String> out = new java.util.ArrayList<>();
    String delimiter = "--" + boundary;
    int at = body.indexOf(delimiter);
    while (at >= 0) {
      int start = at + delimiter.length();
      if (body.startsWith("--", start)) {
        break;
      }
      int next = body.indexOf(delimiter, start);
      if (next < 0) {
        break;
      }
      String part = body.substring(start, next);
      int headEnd = part.indexOf("\r\n\r\n");
      // a part without headers is "\r\n\r\n<body>\r\n"
      String content = headEnd >= 0 ? part.substring(headEnd + 4) : part;
      out.add(content.endsWith("\r\n") ? content.substring(0, content.length() - 2) : content);
      at = next;
    }
    return out;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return link.close();
  }
}
