package io.pushgateway.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps data values to SVG pixels, linear or logarithmic. Latencies span from a millisecond
 * (push) to seconds (polling), so those charts need the log scale to show both.
 */
final class Scale {
  private final boolean log;
  private final double lo;
  private final double hi;
  private final double from;
  private final double to;

  private Scale(boolean log, double lo, double hi, double from, double to) {
    this.log = log;
    this.lo = lo;
    this.hi = hi;
    this.from = from;
    this.to = to;
  }

  /** A log scale covering [min, max], widened to whole decades. */
  static Scale log(double min, double max, double from, double to) {
    double lo = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-3))));
    double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
    if (hi <= lo) {
      hi = lo * 10;
    }
    return new Scale(true, lo, hi, from, to);
  }

  /** A linear scale from 0 to a rounded-up max. */
  static Scale linear(double max, double from, double to) {
    double step = niceStep(Math.max(max, 1e-9) / 5);
    return new Scale(false, 0, Math.ceil(max / step) * step, from, to);
  }

  private static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  double map(double v) {
    double f = log
      ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
      : (v - lo) / (hi - lo);
    return from + f * (to - from);
  }

  List<Double> ticks() {
    List<Double> out = new ArrayList<>();
    if (log) {
      for (double d = lo; d <= hi * 1.0001; d *= 10) {
        for (double m : new double[] {1, 2, 5}) {
          if (m * d <= hi * 1.0001) {
            out.add(m * d);
          }
        }
      }
    } else {
      double step = niceStep(hi / 5);
      for (double v = 0; v <= hi * 1.0001; v += step) {
        out.add(v);
      }
    }
    return out;
  }

  static String label(double v) {
    if (v >= 1000 && v % 1000 == 0) {
      return (long) (v / 1000) + "k";
    }
    if (v >= 1) {
      return Long.toString(Math.round(v));
    }
    return Fmt.sig(v);
  }
}
