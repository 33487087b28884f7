# Opens N chat event streams (one conversation each), then posts M messages into one more conversation and reports the
# host's CPU time (utime+stime from /proc) spent meanwhile, per message.
import asyncio, json, os, sys, time, urllib.request

base, pid, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
host, port = base.replace("http://", "").split(":")

def post_chat(email, text, conv=None, token=None):
    body = {"name": "Load", "email": email, "message": text}
    headers = {"Content-Type": "application/json"}
    if conv:
        body["conversationId"] = conv
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + "/tickets?channel=chat", data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def cpu():
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

async def stream(conv, token, ready):
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET /chat/conversations/{conv}/events?access_token={token} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    await reader.readline()
    ready.append(1)
    while True:
        line = await reader.readline()
        if not line:
            return

async def main():
    convs = [post_chat(f"s{i}@load.example", "hello") for i in range(n)]
    ready = []
    tasks = [asyncio.create_task(stream(c["conversationId"], c["visitorToken"], ready)) for c in convs]
    while len(ready) < n:
        await asyncio.sleep(0.1)
    await asyncio.sleep(3)
    quiet_start = cpu(); await asyncio.sleep(5); idle = (cpu() - quiet_start) / 5
    other = post_chat("other@load.example", "first")
    start = cpu(); t0 = time.time()
    for i in range(m):
        await asyncio.get_event_loop().run_in_executor(None, post_chat, "other@load.example", f"msg {i}", other["conversationId"], other["visitorToken"])
        await asyncio.sleep(float(os.environ.get("GAP", "0.05")))
    await asyncio.sleep(2)
    elapsed = time.time() - t0
    spent = cpu() - start - idle * elapsed
    print(json.dumps({"streams": n, "messages": m, "cpu_ms_per_message": round(spent * 1000 / m, 2), "idle_cpu_per_s_ms": round(idle * 1000, 1)}))
    for t in tasks: t.cancel()

asyncio.run(main())
