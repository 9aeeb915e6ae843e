"""The floor: a minimal keep-alive client that only fetches and parses the pages.

usage: floor_walk.py BASE_URL ROOM_ID TOKEN
"""
import http.client
import json
import re
import sys
import time
from urllib.parse import urlsplit

base, room, token = sys.argv[1:4]
parts = urlsplit(base)
conn = http.client.HTTPConnection(parts.hostname, parts.port)
headers = {"Authorization": "Bearer " + token}
target = parts.path + "/messages?roomId=" + room + "&max=1000"
count = 0
started = time.perf_counter()
while target:
    conn.request("GET", target, headers=headers)
    response = conn.getresponse()
    page = json.loads(response.read())
    count += len(page["items"])
    link = response.getheader("Link") or ""
    match = re.search(r'<([^>]+)>;\s*rel="next"', link)
    target = None
    if match:
        nxt = urlsplit(match.group(1))
        target = nxt.path + "?" + nxt.query
# The count, and the seconds spent fetching and parsing (without Python's start-up).
print(count, f"{time.perf_counter() - started:.3f}", file=sys.stderr)
