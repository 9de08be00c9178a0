#!/usr/bin/env python3
"""Fills a gateway's topics with history through POST /api/events, 1,000 events per request:
--events events on each of --topics topics named PREFIX0, PREFIX1, ... (one topic named PREFIX
itself with --topics 1). --shape quote is {"symbol","bid","ask","n"}; chat is {"user","text","n"}
with some sixty characters of text.

    python3 loadtest/scripts/fill-topics.py --url http://127.0.0.1:8080 --prefix prices. --topics 2000 --events 200
    python3 loadtest/scripts/fill-topics.py --url http://127.0.0.1:8080 --prefix chat.lobby --events 1000 --shape chat
"""
import argparse
import json
import urllib.request


def data(shape, topic, n):
    if shape == "chat":
        return {"user": f"user{n % 17}", "text": "a chat message of about sixty characters, as people type them", "n": n}
    return {"symbol": f"SYM{topic}", "bid": 100 + n / 100, "ask": 100.2 + n / 100, "n": n}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--prefix", default="prices.")
    parser.add_argument("--topics", type=int, default=1)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--shape", choices=["quote", "chat"], default="quote")
    args = parser.parse_args()
    names = [args.prefix] if args.topics == 1 else [f"{args.prefix}{t}" for t in range(args.topics)]

    def post(batch):
        request = urllib.request.Request(args.url + "/api/events", data=json.dumps({"events": batch}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()

    batch = []
    for n in range(args.events):
        for t, name in enumerate(names):
            batch.append({"topic": name, "data": data(args.shape, t, n)})
            if len(batch) == 1000:
                post(batch)
                batch = []
    if batch:
        post(batch)


if __name__ == "__main__":
    main()
