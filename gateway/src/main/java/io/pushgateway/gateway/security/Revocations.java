package io.pushgateway.gateway.security;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens revoked before their {@code exp}: every token of one {@code sub} issued before a moment
 * (by its {@code iat}; a token without one counts as issued before), or one token by its
 * {@code jti}. A revoked token is refused like a bad one ({@code 401 unauthorized}, a WebSocket's
 * {@code auth} op too), and what it holds open ends at once: a WebSocket closes with 1008 "token
 * revoked", an SSE stream ends, a waiting long poll is answered {@code 401} ({@link #watch}).
 *
 * <p>A revocation is kept until its {@code until}, by when the tokens it names have expired, then
 * forgotten; at most {@code maxRevocations} at once, so a flood of them cannot grow the gateway
 * without bound. Shared by every event loop; a cluster's nodes each hold every revocation
 * ({@link #share}).
 */
public class Revocations {

  /**
   * One revocation: of {@code subject}'s tokens issued before {@code issuedBeforeSeconds}, or of
   * the token whose {@code jti} is {@code tokenId} (exactly one of the two is set); kept until
   * {@code untilSeconds} (epoch seconds).
   */
  public record Revocation(String subject, String tokenId, long issuedBeforeSeconds, long untilSeconds) {

    /** Where it is kept: one entry per {@code sub} and per {@code jti}. */
    public String key() {
      return subject != null ? "sub:" + subject : "jti:" + tokenId;
    }

    boolean covers(String sub, String jti, long issuedAtSeconds) {
      return subject != null
        ? subject.equals(sub) && issuedAtSeconds < issuedBeforeSeconds
        : tokenId.equals(jti);
    }

    /** This and {@code other} of the same key as one: the later moment, the longer keeping. */
    Revocation widen(Revocation other) {
      return other == null ? this : new Revocation(subject, tokenId,
        Math.max(issuedBeforeSeconds, other.issuedBeforeSeconds), Math.max(untilSeconds, other.untilSeconds));
    }

    public JsonObject toJson() {
      JsonObject json = subject != null
        ? new JsonObject().put("sub", subject).put("issuedBefore", issuedBeforeSeconds)
        : new JsonObject().put("jti", tokenId);
      return json.put("until", untilSeconds);
    }

    public static Revocation fromJson(JsonObject json) {
      return new Revocation(json.getString("sub"), json.getString("jti"), json.getLong("issuedBefore", 0L),
        json.getLong("until"));
    }
  }

  /** Something a token holds open, ended when the token is revoked. */
  public interface Watch {
    /** Watches nothing: what a holder has before it watches. */
    Watch NONE = () -> { };

    /** The holder ended on its own: stop watching. */
    void cancel();
  }

  /** What a revoked token is told. */
  static final String REVOKED = "the token was revoked";

  private final int maxRevocations;
  private final ConcurrentHashMap<String, Revocation> kept = new ConcurrentHashMap<>();
  private final Set<Held> held = ConcurrentHashMap.newKeySet();

  public Revocations(int maxRevocations) {
    this.maxRevocations = maxRevocations;
  }

  /**
   * Revokes on this node and, in a cluster, on every node: the answer comes once the revocation
   * is shared. {@code overloaded} when {@code maxRevocations} are kept already.
   */
  public Future<Revocation> revoke(Revocation revocation) {
    if (noRoomFor(revocation)) {
      sweep(System.currentTimeMillis() / 1000); // full: make room of what is over first
    }
    if (noRoomFor(revocation)) {
      return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the gateway keeps " + maxRevocations
        + " revocations already (maxRevocations): retry once some have expired"));
    }
    Revocation applied = apply(revocation);
    return share(applied).map(applied);
  }

  /** Whether keeping {@code revocation} would pass {@code maxRevocations} (one of its key widens in place). */
  private boolean noRoomFor(Revocation revocation) {
    return !kept.containsKey(revocation.key()) && kept.size() >= maxRevocations;
  }

  /**
   * Takes a revocation made here or on another node: keeps it (widened by one it kept already
   * for the same {@code sub} or {@code jti}) and ends what the tokens it covers hold open.
   */
  public Revocation apply(Revocation revocation) {
    Revocation applied = kept.merge(revocation.key(), revocation, Revocation::widen);
    for (Held h : held) {
      if (applied.covers(h.subject, h.tokenId, h.issuedAtSeconds)) {
        h.end();
      }
    }
    return applied;
  }

  /** In a cluster: hands {@code revocation} to every other node. */
  protected Future<Void> share(Revocation revocation) {
    return Future.succeededFuture();
  }

  /** Stops sharing (a cluster node that leaves). */
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** What a revoked token is answered: {@code 401 unauthorized}. */
  public static GatewayException refusal() {
    return new GatewayException(ErrorCode.UNAUTHORIZED, REVOKED);
  }

  /** Whether the token {@code access} was given has been revoked (never, without a token). */
  public boolean revoked(Access access) {
    return access.authenticated() && revoked(access.subject(), access.tokenId(), access.issuedAtSeconds());
  }

  private boolean revoked(String subject, String tokenId, long issuedAtSeconds) {
    if (kept.isEmpty()) {
      return false; // nearly always
    }
    Revocation bySubject = subject == null ? null : kept.get("sub:" + subject);
    Revocation byId = tokenId == null ? null : kept.get("jti:" + tokenId);
    return bySubject != null && bySubject.covers(subject, tokenId, issuedAtSeconds)
      || byId != null && byId.covers(subject, tokenId, issuedAtSeconds);
  }

  /**
   * Watches what {@code access}'s token holds open (a stream, a waiting poll) until it is
   * cancelled: {@code onRevoked} runs on the caller's context once, if the token is revoked
   * meanwhile, or at once if it was revoked already. Without a token there is nothing to watch.
   */
  public Watch watch(Access access, Runnable onRevoked) {
    if (!access.authenticated()) {
      return Watch.NONE;
    }
    Held h = new Held(access, Vertx.currentContext(), onRevoked);
    held.add(h);
    // a revocation between the token's check and now found nothing to end: look again
    if (revoked(access)) {
      h.end();
    }
    return h;
  }

  /** Forgets the revocations whose time is over. */
  public void sweep(long nowSeconds) {
    kept.values().removeIf(r -> r.untilSeconds() <= nowSeconds);
  }

  /** How many revocations are kept now. */
  public int size() {
    return kept.size();
  }

  private final class Held implements Watch {
    private final String subject;
    private final String tokenId;
    private final long issuedAtSeconds;
    private final Context context;
    private final Runnable onRevoked;

    Held(Access access, Context context, Runnable onRevoked) {
      this.subject = access.subject();
      this.tokenId = access.tokenId();
      this.issuedAtSeconds = access.issuedAtSeconds();
      this.context = context;
      this.onRevoked = onRevoked;
    }

    void end() {
      if (held.remove(this)) {
        if (context == null) {
          onRevoked.run();
        } else {
          context.runOnContext(v -> onRevoked.run());
        }
      }
    }

    @Override
    public void cancel() {
      held.remove(this);
    }
  }
}
