#!/usr/bin/env python3
"""Where a gateway's CPU goes, from a JFR recording's execution samples.

Each sample is charged to the first frame, from the leaf up, that falls in one of
the categories below (a library layer the gateway pays for per request), else to
the first gateway class on the stack, else to the leaf's class. Shares of samples,
not absolute times: compare two recordings of the same scenario.

    jfr print --events jdk.ExecutionSample --stack-depth 64 rec.jfr > samples.txt
    python3 loadtest/scripts/cpu-breakdown.py samples.txt

Record with 1 ms sampling over the measured window only, e.g. with the load test's
--gateway-jvm-opts "-XX:StartFlightRecording=delay=25s,duration=15s,filename=rec.jfr,settings=fast.jfc"
where fast.jfc is the JDK's profile.jfc with method-sampling-java-interval at 1 ms.
"""
import collections
import re
import sys

CATEGORIES = [
    ("Vert.x Micrometer meters", r"io\.vertx\.micrometer|io\.micrometer"),
    ("gateway meters", r"pushgateway\.gateway\.metrics"),
    ("timers (schedule, cancel)", r"DefaultPriorityQueue|setTimer|cancelTimer|ScheduledFutureTask|AbstractScheduledEventExecutor"),
    ("regular expressions", r"java\.util\.regex"),
    ("query parameters", r"QueryStringDecoder|SubscriptionParams|Cursor\.parse|Topics\.require"),
    ("HTTP head decoding", r"HttpObjectDecoder|HeadersMultiMap|DefaultHttpHeaders"),
    ("HTTP encoding", r"HttpObjectEncoder"),
    ("routing (vertx-web)", r"io\.vertx\.ext\.web"),
    ("event bus", r"io\.vertx\.core\.eventbus"),
    ("poll answer encoding", r"PollAnswer|LiveAnswer|Cursor\.toString|Cursor\.of"),
    ("socket I/O (epoll)", r"epoll|Native\.|IovArray|ChannelOutboundBuffer"),
    ("buffer allocation", r"AdaptivePoolingAllocator|ByteBufAllocator|PooledByteBuf"),
]
STACK = re.compile(r"stackTrace = \[(.*?)\n\s*\]", re.S)


def frames_of(event):
    match = STACK.search(event)
    if not match:
        return []
    lines = (line.strip() for line in match.group(1).strip().split("\n"))
    return [re.sub(r"\s+line:.*", "", line) for line in lines if line and line != "..."]


def category(frames):
    for frame in frames:
        for name, pattern in CATEGORIES:
            if re.search(pattern, frame):
                return name
        if "pushgateway" in frame:
            return "gateway: " + re.sub(r"\(.*", "", frame).split(".")[-2]
    return "other: " + re.sub(r"\(.*", "", frames[0]).rsplit(".", 2)[-2]


def main(path):
    counts = collections.Counter()
    for event in open(path).read().split("jdk.ExecutionSample"):
        frames = frames_of(event)
        if frames:
            counts[category(frames)] += 1
    total = sum(counts.values())
    print(f"{total} samples")
    for name, n in counts.most_common(25):
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
