"""Walk a room's messages with a Python SDK, printing one JSON line per message.

usage: sdk_walk.py ciscosparkapi|webexteamssdk BASE_URL ROOM_ID TOKEN
"""
import json
import sys

sdk, base, room, token = sys.argv[1:5]
if sdk == "ciscosparkapi":
    from ciscosparkapi import CiscoSparkAPI as API
else:
    from webexteamssdk import WebexTeamsAPI as API

api = API(access_token=token, base_url=base.rstrip("/") + "/")
out = sys.stdout
for message in api.messages.list(roomId=room, max=1000):
    out.write(json.dumps(message._json_data, sort_keys=True, separators=(",", ":")))
    out.write("\n")
