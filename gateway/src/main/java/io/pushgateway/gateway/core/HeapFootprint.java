package io.pushgateway.gateway.core;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * What a byte array really takes of the heap, for history budgets that must hold in heap terms:
 * G1 gives an object of half a region or more whole regions of its own (a "humongous" object), so
 * a 1.33 MB event in 1 MB regions takes 2 MB. Smaller arrays are taken at their length.
 */
public final class HeapFootprint {
  /** The JVM's G1 region size, or 0 when G1 is not the collector (no rounding then). */
  static final long REGION = g1RegionBytes();
  /** An array header, counted on humongous objects, which start their own region. */
  private static final int ARRAY_HEADER = 16;

  private HeapFootprint() {
  }

  /** The heap an array of {@code length} bytes occupies, as history budgets count it. */
  public static long ofBytes(int length) {
    return ofBytes(length, REGION);
  }

  static long ofBytes(int length, long region) {
    long size = (long) length + ARRAY_HEADER;
    if (region <= 0 || size < region / 2) {
      return length;
    }
    return (size + region - 1) / region * region;
  }

  private static long g1RegionBytes() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (!Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
        return 0;
      }
      return Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
    } catch (RuntimeException | LinkageError e) {
      return 0; // not a HotSpot JVM: count lengths
    }
  }
}
