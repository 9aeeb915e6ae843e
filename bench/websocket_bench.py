#!/usr/bin/env python3
"""Events through the websocket on loopback (issue 26), driven from outside the tool.

usage: websocket_bench.py SPARK MOCK [N_LATENCY] [N_HELD]

Starts the mock API (`mock-webex`, catalog, device service and websocket included) and
`spark-space listen --websocket`, then
  1. posts N_LATENCY messages one after the other as another person (REST, keep-alive) and
     times each from the moment its POST is sent to the moment its event line is read on
     the listener's stdout: latency p50 / p99 / max;
  2. posts N_LATENCY messages as fast as the REST API takes them (4 writers) and counts the
     events per second printed (first POST sent -> last line read);
  3. keeps the listener up until it printed N_HELD events in all, and reads its RSS
     (VmRSS, VmHWM in /proc) then.
Prints one line per figure. Standard library only.
"""
import http.client, json, os, signal, statistics, subprocess, sys, threading, time


def main():
    spark, mock = sys.argv[1], sys.argv[2]
    n_latency = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    n_held = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    mock_proc = subprocess.Popen([mock], stdout=subprocess.PIPE, text=True)
    try:
        base, room = mock_proc.stdout.readline().split()
        port = int(base.split(":")[2].split("/")[0])
        run(spark, base, port, room, n_latency, n_held)
    finally:
        mock_proc.send_signal(signal.SIGTERM)
        mock_proc.wait()


def run(spark, base, port, room, n_latency, n_held):
    env = dict(os.environ, SPARK_API_URL=base, SPARK_U2C_URL=base.replace("/v1", "/u2c/api/v1"),
               CISCO_SPARK_BOT_TOKEN="bot-token")
    listener = subprocess.Popen([spark, "listen", "--websocket", "-o", "ndjson"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = {}  # text -> monotonic time its line was read
    count = [0]
    lock = threading.Condition()

    def read_lines():
        for line in listener.stdout:
            now = time.monotonic()
            text = json.loads(line).get("text", "")
            with lock:
                seen[text] = now
                count[0] += 1
                lock.notify_all()

    def wait_ready():
        for line in listener.stderr:
            if b"websocket ready" in line:
                return
        raise SystemExit("the listener ended before its socket was ready")

    wait_ready()
    threading.Thread(target=lambda: [None for _ in listener.stderr], daemon=True).start()
    threading.Thread(target=read_lines, daemon=True).start()

    def wait_for(text, timeout=30):
        end = time.monotonic() + timeout
        with lock:
            while text not in seen:
                if not lock.wait(max(0, end - time.monotonic())):
                    raise SystemExit(f"no event for {text!r}")
            return seen[text]

    def poster():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        def post(text):
            body = json.dumps({"roomId": room, "text": text})
            conn.request("POST", "/v1/messages", body, {"Authorization": "Bearer audit-token",
                                                       "Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                raise SystemExit(f"POST /messages: {reply.status}")
        return post

    # 1. latency, one write at a time
    post = poster()
    latencies = []
    for i in range(n_latency):
        text = f"lat-{i}"
        sent = time.monotonic()
        post(text)
        latencies.append(wait_for(text) - sent)
    latencies.sort()
    ms = lambda s: f"{s * 1000:.2f}"
    print(f"latency REST write -> printed line ({n_latency} one at a time): p50 {ms(latencies[len(latencies) // 2])} ms, "
          f"p99 {ms(latencies[int(len(latencies) * 0.99) - 1])} ms, max {ms(latencies[-1])} ms")

    # 2. throughput, 4 writers at once
    writers, per = 4, max(1, n_latency // 4)
    start = time.monotonic()
    def burst(w):
        p = poster()
        for i in range(per):
            p(f"tp-{w}-{i}")
    threads = [threading.Thread(target=burst, args=(w,)) for w in range(writers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    posted = time.monotonic()
    last = max(wait_for(f"tp-{w}-{per - 1}") for w in range(writers))
    for w in range(writers):
        for i in range(per):
            wait_for(f"tp-{w}-{i}")
    total = writers * per
    print(f"throughput ({total} writes, {writers} writers): {total / (last - start):.0f} events/s printed "
          f"(REST took the writes at {total / (posted - start):.0f}/s)")

    # 3. RSS of a listener held for n_held events
    i = 0
    while True:
        with lock:
            if count[0] >= n_held:
                break
        post(f"held-{i}")
        i += 1
    wait_for(f"held-{i - 1}")
    status = open(f"/proc/{listener.pid}/status").read()
    field = lambda name: int(next(l for l in status.splitlines() if l.startswith(name)).split()[1])
    print(f"listener after {count[0]} events: RSS {field('VmRSS:') / 1024:.1f} MB, peak {field('VmHWM:') / 1024:.1f} MB")

    listener.send_signal(signal.SIGTERM)
    code = listener.wait(timeout=30)
    print(f"listener exit status after SIGTERM: {code}")
    if code != 0:
        # A release build once crashed here (SIGSEGV, -11) where debug builds did not.
        raise SystemExit(f"the listener did not end cleanly after SIGTERM (status {code})")


if __name__ == "__main__":
    main()
