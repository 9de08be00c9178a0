package io.pushgateway.loadtest.radio;

import io.pushgateway.loadtest.net.PacketTimeline;

/**
 * Runs a packet timeline through a {@link RadioModel}: every packet finds the radio idle (and
 * pays a promotion), in a state too low for its size (and pays the promotion up), or in a state
 * that carries it (and restarts that state's timer); between packets the timers drop the radio one
 * state at a time. Time in each state and in promotions is summed as energy above the idle floor.
 * Packets are fed in time order; figures are counted from {@code countFrom} on, so a warm-up
 * stretch before it can leave the radio in its steady state.
 */
public final class RadioSimulation {
  public static final double HOUR_SECONDS = 3600;

  private final RadioModel model;
  private final double countFrom;
  private final int idle;
  private int state;
  private double timerStart;
  private double timerEnd = Double.POSITIVE_INFINITY;
  private double active;
  private double high;
  private double energyJ;
  private long promotions;
  private long packets;

  public RadioSimulation(RadioModel model, double startSeconds, double countFrom) {
    this.model = model;
    this.countFrom = countFrom;
    this.idle = model.idleIndex();
    this.state = idle;
    this.timerStart = startSeconds;
  }

  /** One packet of {@code bytes} (IP packet size) at {@code t} seconds. */
  public void packet(double t, int bytes, boolean up) {
    advanceTo(t);
    int needed = model.lowestStateCarrying(bytes, up);
    if (state <= needed) {
      if (t > timerStart) {
        inState(timerStart, t);
        restartTimer(t);
      }
    } else {
      inState(timerStart, t);
      RadioModel.Promotion p = model.promotion(state, needed);
      promoting(t, t + p.seconds(), p.powerMw());
      state = p.to();
      restartTimer(t + p.seconds());
    }
    if (t >= countFrom) {
      packets++;
      energyJ += bytes * model.joulesPerByte(up);
    }
  }

  /** The figures from {@code countFrom} to {@code end}. */
  public RadioUsage finish(double end) {
    advanceTo(end);
    inState(timerStart, end);
    timerStart = end;
    return new RadioUsage(end - countFrom, active, high, energyJ, promotions, packets);
  }

  private void advanceTo(double t) {
    while (state != idle && t >= timerEnd) {
      inState(timerStart, timerEnd);
      state++;
      timerStart = timerEnd;
      timerEnd = state == idle ? Double.POSITIVE_INFINITY : timerStart + model.states().get(state).inactivitySeconds();
    }
  }

  private void restartTimer(double from) {
    timerStart = from;
    timerEnd = from + model.states().get(state).inactivitySeconds();
  }

  private void inState(double from, double to) {
    double dt = counted(from, to);
    if (dt <= 0 || state == idle) {
      return;
    }
    active += dt;
    if (state == 0) {
      high += dt;
    }
    energyJ += (model.powerMw(state) - model.idlePowerMw()) * dt / 1000;
  }

  private void promoting(double from, double to, double powerMw) {
    if (from >= countFrom) {
      promotions++;
    }
    double dt = counted(from, to);
    if (dt > 0) {
      active += dt;
      high += dt;
      energyJ += (powerMw - model.idlePowerMw()) * dt / 1000;
    }
  }

  private double counted(double from, double to) {
    return to - Math.max(from, countFrom);
  }

  /** A timeline's packets from {@code fromNanos} to {@code toNanos}, as they happened. */
  public static RadioUsage over(RadioModel model, PacketTimeline.Snapshot timeline, long fromNanos, long toNanos) {
    RadioSimulation sim = new RadioSimulation(model, 0, 0);
    for (int i = 0; i < timeline.count(); i++) {
      long at = timeline.atNanos(i);
      if (at >= fromNanos && at < toNanos) {
        sim.packet((at - fromNanos) / 1e9, timeline.bytes(i), timeline.up(i));
      }
    }
    return sim.finish((toNanos - fromNanos) / 1e9);
  }

  /**
   * An hour made of a steady window: the window's packets repeated back to back, after one copy
   * that only warms the radio up, so the states carried over each seam are the steady ones. Exact
   * when the window holds whole periods of the traffic (events, heartbeats, polls).
   */
  public static RadioUsage hourFromWindow(RadioModel model, PacketTimeline.Snapshot timeline, long fromNanos,
                                          long toNanos) {
    double window = (toNanos - fromNanos) / 1e9;
    if (window <= 0) {
      throw new IllegalArgumentException("an empty window");
    }
    RadioSimulation sim = new RadioSimulation(model, -window, 0);
    for (int copy = -1; copy * window < HOUR_SECONDS; copy++) {
      for (int i = 0; i < timeline.count(); i++) {
        long at = timeline.atNanos(i);
        if (at < fromNanos || at >= toNanos) {
          continue;
        }
        double t = (at - fromNanos) / 1e9 + copy * window;
        if (t >= HOUR_SECONDS) {
          break;
        }
        sim.packet(t, timeline.bytes(i), timeline.up(i));
      }
    }
    return sim.finish(HOUR_SECONDS);
  }
}
