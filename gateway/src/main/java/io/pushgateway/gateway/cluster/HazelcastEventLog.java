package io.pushgateway.gateway.cluster;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.PublishKeys;
import io.pushgateway.gateway.core.Stored;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.TopicQuery;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.Hubs;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.ReadAssembly;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.ReadStart;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.core.TopicStore;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster {@link EventLog}: every topic's history is one entry of a Hazelcast map (a
 * {@link TopicLog}, with synchronous backups on other members), changed and read only by entry
 * processors ({@link TopicOps}) that run on the member owning the topic's partition. So ids are
 * assigned in one place, +1 with no gaps; a read after an acknowledged append goes to the same
 * owner (or, after its death, to the promoted backup that had to acknowledge the append too) and
 * includes it; and a cursor is valid on every node. A node's appends to a topic travel in batches
 * ({@link AppendBatches}): one round trip and one backup for all that came while the last was on
 * its way.
 *
 * <p>Accepted events travel to every node's hubs over the clustered event bus
 * ({@link ClusterRelay}). Hazelcast answers with {@link CompletionStage}s completed on its own
 * threads; they come back as Vert.x futures on the caller's context, so nothing here blocks an
 * event loop.
 *
 * <p>Topics are bounded as on a single node, by Hazelcast's own means: the map's max-idle time
 * (set by {@link ClusterNode} from {@code topicIdleSeconds}) drops a topic no operation touched
 * for that long, each node touches the topics its own subscribers hold, and a new history gets a
 * new epoch. {@code maxTopics} is held against the topics with events as last counted (every
 * {@link #PROBE_INTERVAL_MILLIS}), so a burst of new topics may pass it by a little, and the empty
 * histories reads start against the map's size; the total history budget likewise
 * ({@link HistoryBudget}).
 */
public final class HazelcastEventLog implements EventLog {

  private static final Logger LOG = System.getLogger(HazelcastEventLog.class.getName());

  /** The map of topic histories; its backup count and in-memory format are set by {@link ClusterNode}. */
  static final String TOPICS_MAP = "push-gateway.topics";
  private static final String CLUSTER_EVENTS = "push-gateway.cluster.events";
  private static final String APPEND_CALLS = "push-gateway.appends";
  /** Not a valid topic name, so never a topic: read to check that the cluster answers. */
  private static final String PROBE_KEY = "~ready-probe";
  private static final long PROBE_INTERVAL_MILLIS = 2000;
  /** The total history budget is checked every this many probes (weighing asks every member for every topic). */
  private static final int BUDGET_EVERY_PROBES = 3;
  /** Subscribed topics touched per keep-alive tick at most, so a pass never floods the cluster. */
  private static final int KEEP_ALIVE_BATCH = 5_000;
  /** A scan of the topic names serves the listings that come this soon after it at least. */
  private static final long NAMES_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, TopicLog> topics;
  private final HistoryLimits history;
  private final Limits limits;
  private final Hubs hubs;
  private final Deque<String> toKeepAlive = new ArrayDeque<>();
  /** Calls that carry several topics' appends to the member that owns them. */
  private final IExecutorService appendCalls;
  private final String appendKeyPrefix;
  private final AtomicLong appendCount = new AtomicLong();
  /**
   * The names of the topics with events, sorted. A scan asks every member for every name (about
   * 0.2 s of CPU at 100,000 topics), so listings share one: a listing may miss a topic created
   * less than a second (or ten times a scan) before it, and a flood of listings keeps the cluster
   * scanning a tenth of the time at most.
   */
  private final SharedScan<NavigableSet<String>> topicNames;
  private ClusterRelay relay;
  /** This node's appends, in batches per topic and calls per owner, on the relay's context. */
  private AppendBatches appends;
  private HistoryBudget budget;
  private int probes;
  private String relayDeployment;
  private UUID goneListener;
  private long probeTimer = -1;
  private long keepAliveTimer = -1;
  private long keepAlivePass;
  private volatile boolean ready;
  /** The topics map's size at the last probe: reads start no topic once it reaches {@code maxTopics}. */
  private volatile int topicsCounted;
  /**
   * The topics with events at the last probe: publishes start no topic once they reach
   * {@code maxTopics}. Empty histories that reads started do not count against publishers, or polls
   * for made-up names could fill the map and refuse every new topic until they expired; they are
   * held to {@code maxTopics} of their own by the reads' count.
   */
  private volatile int publishedCounted;
  /**
   * The members and Hazelcast's safe state of this member, as of the last check no membership
   * change overtook ({@link #checkBackups}); a change makes them unknown (not in sync) at once.
   */
  private volatile int membersChecked;
  private volatile boolean backupsInSync;
  /** A check is running: it may wait up to 10 s for the members' answers, and probes do not pile up behind it. */
  private final AtomicBoolean checkingBackups = new AtomicBoolean();
  /** Membership changes so far: a check begun before the last one says nothing of the cluster now. */
  private final AtomicLong membershipChanges = new AtomicLong();
  private UUID membershipListener;

  private HazelcastEventLog(Vertx vertx, HazelcastInstance hazelcast, IMap<String, TopicLog> topics,
                            HistoryLimits history, Limits limits, Hubs hubs) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.topics = topics;
    this.history = history;
    this.limits = limits;
    this.hubs = hubs;
    this.appendCalls = hazelcast.getExecutorService(APPEND_CALLS);
    this.appendKeyPrefix = hazelcast.getCluster().getLocalMember().getUuid() + ":";
    // A predicate query has no async form: it runs on a worker, never on an event loop.
    this.topicNames = new SharedScan<>(vertx, () -> topics.keySet(new TopicOps.HasEvents()).stream()
      .filter(Topics::isValid)
      .collect(Collectors.toCollection(TreeSet::new)), System::nanoTime, NAMES_REUSE_NANOS);
  }

  /**
   * The topic bounds: at most {@code maxTopics}; {@code idleMillis} is the map's max-idle time
   * (0: none), and {@code subscribed} the topics this node's subscribers hold (any thread).
   */
  public record Limits(int maxTopics, long idleMillis, Collection<String> subscribed) {
  }

  /**
   * Starts the log on a {@link ClusterNode}. It is deployed once one read went through the
   * cluster (it can serve history) and its relay receives every node's events; {@code limits}
   * bound its topics.
   */
  public static Future<HazelcastEventLog> deploy(ClusterNode node, String namespace, HistoryLimits history,
                                                 Limits limits) {
    Vertx vertx = node.vertx();
    HazelcastInstance hazelcast = node.hazelcast();
    // The first use creates the map's proxy on every member and may wait for the partition table:
    // blocking calls, so on a worker. Later calls are asynchronous.
    return vertx.executeBlocking(() -> {
        IMap<String, TopicLog> topics = hazelcast.getMap(TOPICS_MAP);
        topics.executeOnKey(PROBE_KEY, TopicOps.Read.stateOnly(0));
        HazelcastEventLog log = new HazelcastEventLog(vertx, hazelcast, topics, history, limits,
          new Hubs("push-gateway." + namespace + ".events"));
        log.countTopics();
        log.relay = new ClusterRelay(CLUSTER_EVENTS, log.hubs, history);
        log.budget = new HistoryBudget(vertx, hazelcast, topics, history.totalBytes());
        log.goneListener = topics.addEntryListener(new Gone(log), false);
        log.membershipListener = hazelcast.getCluster().addMembershipListener(log.new MembershipChanges());
        return log;
      })
      .compose(log -> vertx.deployVerticle(log.relay)
        .map(id -> {
          log.relayDeployment = id;
          log.appends = new AppendBatches(log.relay.context(), log::ownerOf, log::sendAppends);
          log.ready = true;
          log.probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MILLIS, t -> log.probe());
          log.checkBackups();
          if (limits.idleMillis() > 0) {
            log.keepAliveTimer = vertx.setPeriodic(Math.min(1000, Math.max(100, limits.idleMillis() / 4)),
              t -> log.keepAlive());
          }
          return log;
        }));
  }

  @Override
  public Future<Stored> appendOnce(String topic, String dataJson, String contentType, String key) {
    return appends.add(topic, dataJson, contentType, key, vertx.getOrCreateContext());
  }

  @Override
  public long appendBatches() {
    return appends.shipped();
  }

  /** The member that owns a topic's partition (null while the partition table is not known). */
  private Object ownerOf(String topic) {
    return hazelcast.getPartitionService().getPartition(topic).getOwner();
  }

  /**
   * Ships one call to an owner: one topic's batch as an entry-processor call, several as one task
   * on that member ({@link TopicOps.AppendMany}), retried topic by topic if the task fails (its
   * member left), or, on this member, as entry-processor calls side by side. Then the events of
   * all of them go to every node's relay in one message. Each batch's key makes a retried batch
   * find itself instead of adding copies; its epoch is used only if it starts its topic's history.
   */
  private List<Future<List<Future<Stored>>>> sendAppends(Object owner, List<AppendBatches.Batch> batches) {
    long now = System.currentTimeMillis();
    boolean mayStart = publishedCounted < limits.maxTopics();
    List<TopicOps.Append> appends = batches.stream().map(batch -> appendOf(batch, now, mayStart)).toList();
    List<Future<TopicOps.Appended>> stored = new ArrayList<>(batches.size());
    if (batches.size() > 1 && owner instanceof Member member && !member.localMember()) {
      stored.addAll(appendMany(member, batches, appends));
    } else {
      for (int b = 0; b < batches.size(); b++) {
        stored.add(appendOne(batches.get(b).topic(), appends.get(b)));
      }
    }
    List<Future<List<Future<Stored>>>> encoded = new ArrayList<>(batches.size());
    for (int b = 0; b < batches.size(); b++) {
      String topic = batches.get(b).topic();
      TopicOps.Append append = appends.get(b);
      encoded.add(stored.get(b).map(done -> events(topic, append, done)));
    }
    // the relay has the events before any publisher hears of them, as their node's hubs may be
    // asked for them next
    Future<?> relayed = Future.join(encoded).andThen(all -> relay(encoded, appends, stored));
    List<Future<List<Future<Stored>>>> answers = new ArrayList<>(encoded.size());
    for (Future<List<Future<Stored>>> batch : encoded) {
      answers.add(relayed.transform(all -> batch));
    }
    return answers;
  }

  private TopicOps.Append appendOf(AppendBatches.Batch batch, long now, boolean mayStart) {
    List<AppendBatches.Pending> pending = batch.appends();
    String[] data = new String[pending.size()];
    String[] contentTypes = new String[pending.size()];
    String[] publishKeys = null;
    for (int i = 0; i < data.length; i++) {
      data[i] = pending.get(i).dataJson();
      contentTypes[i] = pending.get(i).contentType();
      if (pending.get(i).key() != null) {
        publishKeys = publishKeys == null ? new String[data.length] : publishKeys;
        publishKeys[i] = pending.get(i).key();
      }
    }
    HistoryLimits own = history.forTopic(batch.topic());
    return new TopicOps.Append(appendKey(), data, contentTypes, publishKeys, TopicStore.newEpoch(), own.events(),
      now, own.maxAgeMillis(), own.topicBytes(), own.keyWindowMillis(), mayStart);
  }

  /**
   * What each event of a batch got: stored now (the ids from {@code done.id} on, in order), a
   * repeat of the kept event of its idempotency key, or refused for naming one of other data.
   */
  private List<Future<Stored>> events(String topic, TopicOps.Append append, TopicOps.Appended done) {
    if (done.id == 0) {
      throw new GatewayException(ErrorCode.TOO_MANY_TOPICS, "the cluster holds its limit of "
        + limits.maxTopics() + " topics; idle topics are evicted, retry later or publish to an existing topic");
    }
    List<Future<Stored>> events = new ArrayList<>(append.size());
    long next = done.id;
    for (int i = 0; i < append.size(); i++) {
      long repeats = done.repeats == null ? 0 : done.repeats[i];
      if (repeats == TopicOps.Appended.OTHER_DATA) {
        events.add(Future.failedFuture(PublishKeys.conflict(topic, append.publishKey(i))));
        continue;
      }
      boolean repeat = repeats > 0;
      Event event = Event.encode(topic, repeat ? repeats : next++, repeat ? done.repeatTs[i] : done.ts, done.epoch,
        append.data(i), append.contentType(i), append.publishKey(i));
      events.add(Future.succeededFuture(new Stored(event, repeat)));
    }
    return events;
  }

  private Future<TopicOps.Appended> appendOne(String topic, TopicOps.Append append) {
    return HazelcastAnswers.onContext(topics.submitToKey(topic, append), relay.context())
      .recover(HazelcastEventLog::unavailable);
  }

  private List<Future<TopicOps.Appended>> appendMany(Member owner, List<AppendBatches.Batch> batches,
                                                     List<TopicOps.Append> appends) {
    String[] names = new String[batches.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = batches.get(i).topic();
    }
    // a CompletableFuture since Hazelcast 4, so its answer can be handed over like any other
    CompletionStage<List<TopicOps.Appended>> answered = (CompletionStage<List<TopicOps.Appended>>)
      appendCalls.<List<TopicOps.Appended>>submitToMember(
        new TopicOps.AppendMany(names, appends.toArray(TopicOps.Append[]::new)), owner);
    Future<List<TopicOps.Appended>> call = HazelcastAnswers.onContext(answered, relay.context());
    List<Future<TopicOps.Appended>> stored = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      int at = i;
      stored.add(call.map(all -> all.get(at)).recover(failed -> appendOne(names[at], appends.get(at))));
    }
    return stored;
  }

  /**
   * The stored events of one call, as one message to every node's relay, this one included; each
   * with its history's size after its batch.
   */
  private void relay(List<Future<List<Future<Stored>>>> encoded, List<TopicOps.Append> appends,
                     List<Future<TopicOps.Appended>> stored) {
    Buffer message = Buffer.buffer();
    for (int b = 0; b < encoded.size(); b++) {
      if (encoded.get(b).succeeded()) {
        List<Future<Stored>> events = encoded.get(b).result();
        for (int i = 0; i < events.size(); i++) {
          Future<Stored> event = events.get(i);
          if (event.succeeded() && !event.result().duplicate()) {
            ClusterRelay.encode(message, event.result().event(), appends.get(b).data(i), stored.get(b).result().kept);
          }
        }
      }
    }
    if (message.length() > 0) {
      vertx.eventBus().publish(CLUSTER_EVENTS, message);
    }
  }

  /** A key no other append carries: this member's id and a count. */
  private String appendKey() {
    return appendKeyPrefix + appendCount.incrementAndGet();
  }

  @Override
  public Future<ReadResult> read(ReadRequest request) {
    long now = System.currentTimeMillis();
    List<Future<Slice>> slices = new ArrayList<>();
    for (String topic : request.topics()) {
      long cutoff = history.cutoff(topic, now);
      Position position = request.cursor().get(topic);
      TopicOps.Read read = position == null
        ? new TopicOps.Read(true, 0, null, request.limit(), request.maxBytes(), cutoff, false)
        : new TopicOps.Read(false, position.id(), position.epoch(), request.limit(), request.maxBytes(), cutoff,
          request.newestOnly().contains(topic));
      slices.add(onContext(topics.submitToKey(topic, read))
        .compose(slice -> slice != null ? Future.succeededFuture(slice)
          : onContext(topics.submitToKey(topic, new TopicOps.Start(read, TopicStore.newEpoch(),
            history.forTopic(topic).events(), topicsCounted < limits.maxTopics())))));
    }
    return Future.all(slices).map(all -> assemble(request, slices));
  }

  /**
   * The slices, in the request's topic order, within the request's limit over all topics. Events
   * this node delivered recently are handed out as they were delivered, with their encoded forms.
   */
  private ReadResult assemble(ReadRequest request, List<Future<Slice>> slices) {
    ReadAssembly answer = new ReadAssembly(request);
    for (int i = 0; i < slices.size(); i++) {
      String topic = request.topics().get(i);
      Slice slice = slices.get(i).result();
      // the cursor rules ran on the partition's owner (Slice.of): their answer comes with the slice
      answer.add(new TopicState(topic, slice.lastId, slice.oldestId, slice.epoch), new ReadStart(slice.start, slice.reset),
        (after, max, out) -> {
          int taken = Math.min(max, slice.ts.length);
          for (int k = 0; k < taken; k++) {
            long id = after + 1 + k;
            Event delivered = relay.recent(topic, slice.epoch, id);
            out.add(delivered != null ? delivered
              : Event.encode(topic, id, slice.ts[k], slice.epoch, slice.data[k], slice.contentTypes[k]));
          }
          return taken;
        });
    }
    return answer.result();
  }

  @Override
  public Future<Optional<TopicState>> state(String topic) {
    long cutoff = history.cutoff(topic, System.currentTimeMillis());
    return onContext(topics.submitToKey(topic, TopicOps.Read.stateOnly(cutoff)))
      .map(slice -> slice == null || slice.lastId == 0
        ? Optional.empty()
        : Optional.of(new TopicState(topic, slice.lastId, slice.oldestId, slice.epoch)));
  }

  /** The entry goes from the map; every node then forgets its head and relay order ({@link Gone}). */
  @Override
  public Future<Boolean> delete(String topic) {
    return onContext(topics.removeAsync(topic)).map(old -> old != null && old.lastId() > 0);
  }

  @Override
  public Future<TopicQuery.Page> topics(TopicQuery query) {
    Context caller = vertx.getOrCreateContext();
    Promise<TopicQuery.Page> page = Promise.promise();
    // the names are read-only once scanned, so each listing walks them on its own context
    topicNames.get().onComplete(names -> caller.runOnContext(v -> page.handle(names.map(query::of))));
    return page.future().recover(HazelcastEventLog::unavailable);
  }

  @Override
  public boolean ready() {
    return ready && hazelcast.getLifecycleService().isRunning();
  }

  /** Leaves the relay; the cluster membership ends with the clustered Vert.x ({@code vertx.close()}). */
  @Override
  public Future<Void> close() {
    ready = false;
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
    }
    if (keepAliveTimer >= 0) {
      vertx.cancelTimer(keepAliveTimer);
    }
    // removing a listener waits for the cluster: on a worker
    Future<Void> unlisten = vertx.executeBlocking(() -> {
        hazelcast.getCluster().removeMembershipListener(membershipListener);
        return topics.removeEntryListener(goneListener);
      }, false)
      .<Void>mapEmpty()
      .recover(e -> Future.succeededFuture());
    return unlisten.compose(v -> relayDeployment == null ? Future.succeededFuture() : vertx.undeploy(relayDeployment));
  }

  /**
   * The newest event the relay handed to this node's hubs. An event stored but never relayed (its
   * node died in between) is read by the topic's subscribers once a later one shows the gap, as
   * push subscribers already do; until then a poll at this head waits.
   */
  @Override
  public Position head(String topic) {
    return relay.head(topic);
  }

  @Override
  public Hubs hubs() {
    return hubs;
  }

  /** As the topics' owners counted at each topic's last append, relayed with the event. */
  @Override
  public long keptEvents() {
    return relay.keptEvents();
  }

  /**
   * Touches the topics this node's subscribers hold, so the map's max-idle time never drops a
   * topic someone listens to: a bounded batch per tick, each topic three times per idle time
   * (Hazelcast keeps entry times in whole seconds).
   */
  private void keepAlive() {
    long now = System.currentTimeMillis();
    if (toKeepAlive.isEmpty() && now - keepAlivePass >= limits.idleMillis() / 3) {
      keepAlivePass = now;
      toKeepAlive.addAll(limits.subscribed());
    }
    for (int i = 0; i < KEEP_ALIVE_BATCH && !toKeepAlive.isEmpty(); i++) {
      // a read-only entry processor counts as an access for the max-idle time
      topics.submitToKey(toKeepAlive.poll(), TopicOps.Read.stateOnly(0));
    }
  }

  /** Topics in the cluster's map (empty histories that subscriptions started included), as last counted. */
  @Override
  public long topicCount() {
    return topicsCounted;
  }

  /** One read through the cluster: ready while it answers in time. */
  private void probe() {
    // Not through onContext: the log line wants Hazelcast's own words for what went wrong.
    HazelcastAnswers.onContext(topics.submitToKey(PROBE_KEY, TopicOps.Read.stateOnly(0)),
        vertx.getOrCreateContext())
      .timeout(PROBE_INTERVAL_MILLIS * 2, TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        if (ready != ar.succeeded()) {
          LOG.log(ar.succeeded() ? Level.INFO : Level.WARNING, "cluster log {0}",
            ar.succeeded() ? "answers: ready" : "does not answer: not ready (" + ar.cause() + ")");
        }
        ready = ar.succeeded();
      });
    // counting asks every member: on a worker
    vertx.executeBlocking(() -> {
      countTopics();
      return null;
    }, false);
    if (++probes % BUDGET_EVERY_PROBES == 0) {
      budget.check();
    }
    if (!backupsInSync) {
      checkBackups();
    }
  }

  @Override
  public boolean backupsInSync() {
    return backupsInSync;
  }

  @Override
  public int clusterMembers() {
    return membersChecked;
  }

  /**
   * Asks Hazelcast whether this member is safe: every partition it owns has its backups assigned
   * and in sync, and no migration is under way. The check asks each backup holder for its
   * partitions' versions and waits for the answers (up to 10 s): on a worker, one at a time. A
   * check that a membership change overtook is thrown away and made again. Backups fall behind
   * when members come and go, so checks run at start, on each change and then at every probe
   * until one finds them in sync: an operation per partition is not spent while nothing changes.
   */
  private void checkBackups() {
    if (!checkingBackups.compareAndSet(false, true)) {
      return;
    }
    long changes = membershipChanges.get();
    vertx.executeBlocking(() -> new BackupCheck(hazelcast.getCluster().getMembers().size(),
        hazelcast.getPartitionService().isLocalMemberSafe()), false)
      .onComplete(checked -> {
        checkingBackups.set(false);
        if (checked.failed()) {
          return; // the instance is shutting down
        }
        if (!record(checked.result(), changes)) {
          checkBackups();
        }
      });
  }

  /** Keeps a check's answer unless a membership change came since it began; false if one did. */
  private synchronized boolean record(BackupCheck check, long changes) {
    if (membershipChanges.get() != changes) {
      return false;
    }
    if (check.inSync() != backupsInSync) {
      String members = check.members() == 1 ? "1 member" : check.members() + " members";
      LOG.log(Level.INFO, check.inSync() ? "backups in sync (" + members + ")"
        : "backups not in sync: history is being copied (" + members + ")");
    }
    membersChecked = check.members();
    backupsInSync = check.inSync();
    return true;
  }

  /** A member joined or left: until checked again, the backups are not known to be in sync. */
  private void membershipChanged() {
    synchronized (this) {
      membershipChanges.incrementAndGet();
      backupsInSync = false;
    }
    checkBackups();
  }

  private record BackupCheck(int members, boolean inSync) {
  }

  private final class MembershipChanges implements MembershipListener {

    @Override
    public void memberAdded(MembershipEvent event) {
      membershipChanged();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      membershipChanged();
    }
  }

  /** Counts the map's entries and the topics with events among them; blocking: on a worker. */
  private void countTopics() {
    topicsCounted = topics.size();
    publishedCounted = topics.aggregate(Aggregators.count(), new TopicOps.HasEvents()).intValue();
  }

  /** A topic the cluster dropped (idle, evicted, or deleted): this node forgets its head and order. */
  private static final class Gone implements EntryExpiredListener<String, TopicLog>, EntryEvictedListener<String, TopicLog>,
    EntryRemovedListener<String, TopicLog> {

    private final HazelcastEventLog log;

    Gone(HazelcastEventLog log) {
      this.log = log;
    }

    @Override
    public void entryExpired(EntryEvent<String, TopicLog> event) {
      forget(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, TopicLog> event) {
      forget(event.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, TopicLog> event) {
      forget(event.getKey());
    }

    private void forget(String topic) {
      log.relay.forget(topic);
    }
  }

  /** A Hazelcast answer as a Vert.x future completed on the calling context. */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    return HazelcastAnswers.onContext(stage, context).recover(HazelcastEventLog::unavailable);
  }

  /**
   * Hazelcast failing (a member gone, a timeout, the instance shutting down) is the cluster being
   * unavailable: {@code overloaded}, worth a retry. Any other failure is a bug.
   */
  private static <T> Future<T> unavailable(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && !(cause instanceof RetryableException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HazelcastException || cause instanceof HazelcastInstanceNotActiveException
        || cause instanceof RetryableException || cause instanceof TimeoutException) {
      return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the cluster log is unavailable, retry"));
    }
    return Future.failedFuture(failure);
  }
}
