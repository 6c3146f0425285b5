#!/usr/bin/env python3
"""A Python agent backend streaming a run to a user's open agentwire tabs (docs/producers.md).

It receives a job (here from the command line: a user, a question), runs a fake tool and
streams its answer into the user's thread through agentwire's producer API, honouring
stop_agent: a thread long-polls the stop requests, and every append answers whether the
run was stopped. Standard library only (Python 3.9+).

    AGENTWIRE_URL=http://127.0.0.1:8080 AGENTWIRE_PRODUCER_KEY=... \\
        python3 producer.py --user alice --question "Weather in Oslo?"
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid


class RunStopped(Exception):
    """The run ended without us (the user pressed stop, or the gateway timed us out)."""


class ProducerApi:
    """One keep-alive connection to the gateway's producer API; requests are retried with the same body."""

    def __init__(self, base_url, key):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self.key = key
        self.connection = None

    def request(self, method, path, body=None, timeout=10.0):
        payload = None if body is None else json.dumps(body).encode()
        headers = {"authorization": f"Bearer {self.key}", "content-type": "application/json"}
        for attempt in range(3):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                answer = json.loads(response.read() or b"{}")
            except (OSError, http.client.HTTPException):
                # A timeout or a dropped connection: retrying is safe, every event has its key.
                self.connection = None
                time.sleep(0.2 * (attempt + 1))
                continue
            if response.status == 409 and answer.get("stop_requested"):
                raise RunStopped(answer["reason"]["code"])
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {answer.get('error')}")
            return answer
        raise RuntimeError(f"{method} {path}: the gateway did not answer")


class Run:
    def __init__(self, api, user_id, run_id):
        self.api, self.user_id, self.run_id = api, user_id, run_id
        self.keys = 0
        self.stop = threading.Event()

    def append(self, event_type, data):
        if self.stop.is_set():
            raise RunStopped("cancelled")
        self.keys += 1
        event = {"key": str(self.keys), "type": event_type, "data": data}
        body = {"user_id": self.user_id, "events": [event]}
        self.api.request("POST", f"/producer/runs/{self.run_id}/events", body)

    def end(self):
        self.api.request("POST", f"/producer/runs/{self.run_id}/end", {"user_id": self.user_id, "status": "completed"})

    def watch_stop(self, base_url, key):
        """Long-polls the stop requests on a connection of its own, so a slow tool can still be stopped."""
        api = ProducerApi(base_url, key)
        query = urllib.parse.urlencode({"user_id": self.user_id, "wait_ms": 20000})
        while not self.stop.is_set():
            try:
                answer = api.request("GET", f"/producer/runs/{self.run_id}/stop?{query}", timeout=30.0)
            except (RuntimeError, RunStopped):
                return
            if answer.get("stop_requested"):
                self.stop.set()


def fake_weather_tool(city, run, seconds):
    """A slow tool that gives up as soon as the user stops the run."""
    if run.stop.wait(seconds):
        raise RunStopped("cancelled")
    return {"city": city, "celsius": 4, "sky": "light snow"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True, help="the user whose tabs watch the run")
    parser.add_argument("--question", help="the user's question; omitted: an agent-initiated run")
    parser.add_argument("--city", default="Oslo")
    parser.add_argument("--thread", help="an existing thread of the user; default: a new one")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds between streamed words")
    args = parser.parse_args()
    base_url = os.environ.get("AGENTWIRE_URL", "http://127.0.0.1:8080")
    key = os.environ["AGENTWIRE_PRODUCER_KEY"]
    api = ProducerApi(base_url, key)

    start = {"user_id": args.user, "agent_name": "python-agent", "client_msg_id": f"job-{uuid.uuid4()}"}
    if args.question:
        start["text"] = args.question
    else:
        start["title"] = f"Weather report for {args.city}"
    if args.thread:
        start["thread_id"] = args.thread
    started = api.request("POST", "/producer/runs", start)
    run = Run(api, args.user, started["run_id"])
    print(f"run {started['run_id']} thread {started['thread_id']}", flush=True)
    threading.Thread(target=run.watch_stop, args=(base_url, key), daemon=True).start()

    try:
        run.append("agent_thinking", {"text": f"Looking up the weather in {args.city}"})
        run.append("tool_executing", {"tool_call_id": "call-1", "tool_name": "weather", "args": {"city": args.city}})
        weather = fake_weather_tool(args.city, run, args.delay * 4)
        run.append("tool_completed", {"tool_call_id": "call-1", "result": weather})
        answer = f"In {weather['city']} it is {weather['celsius']} °C with {weather['sky']}."
        for word in answer.split(" "):
            run.append("agent_message_delta", {"delta": word + " "})
            if run.stop.wait(args.delay):
                raise RunStopped("cancelled")
        run.end()
        print("completed", flush=True)
    except RunStopped as stopped:
        # agentwire has already ended the run (agent_error) on the user's stream: just stop working.
        print(f"stopped ({stopped})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
