#!/usr/bin/python3
"""A generated web site for crawl tests and benchmarks: stdlib only, 127.0.0.1 only.
The same --seed and --pages give the same site.

  crawl_site.py serve [--seed S] [--pages N] [--crawl-delay SECONDS] [--robots-farm-group]
                      [--no-robots] [--flaky K] [--slow-ms MS]
  crawl_site.py write DIR --port-a PORT [--seed S] [--pages N] [--crawl-delay SECONDS]
                      [--robots-farm-group] [--no-robots] [--expected FILE]

serve starts host A (the site) and host B (a second host) on ephemeral ports, prints
{"a": PORT_A, "b": PORT_B} on stdout once both listen, and serves until killed, or
until its stdin closes when stdin is a pipe.

Host A:
  /p/<i>.html           page i, 0 <= i < N, titled "Page i" ("Page i & co" for some); links
                        to a few pages (a random graph with cycles; every page reachable from
                        /p/0.html through /p/ links alone) as "3.html", "./3.html", "../p/3.html",
                        "/p/3.html", absolute, upper-case scheme, dot segments, "//host" and
                        "#fragment" forms; some pages set <base href> (their relative links
                        resolve against "/"), some link to /p/<k>.html?from=<i> (the same page
                        at another URL; some with "&amp;" in it), to the other areas below and
                        to host B (absolute and "//host" forms), to mailto: and javascript:,
                        and some hide a /trap/ link in a comment or a script, which no HTML
                        parser reports as a link
  /p/<N+i>.html, /missing/<i>.html   404, with a /trap/ link in the body (error pages are
                        not parsed)
  /r/<k>                302 to /p/<k>.html; /r/b to host B's /b/0.html; /r/private to
                        /private/0.html
  /files/<i>.txt, /files/<i>.png     not HTML, with text that looks like /trap/ links
  /private/<k>.html     robots.txt disallows /private/ for every crawler
  /flaky/<k>.html       503 to its first K requests (with Retry-After: 1 for even k), then 200
  /trap/...             200, HTML: fetched only by a crawler that follows what is not a link
  /robots.txt           "User-agent: *" disallows /private/, with "Crawl-delay: SECONDS" when
                        not 0; with --robots-farm-group a "User-agent: farm" group disallows
                        /files/ but allows /files/1.txt (and not /private/); 404 with
                        --no-robots. A group for "otherbot" disallows everything.
Host B:
  /b/<j>.html           five pages linking to each other and back to host A; no robots.txt
Both hosts:
  /__stats[?reset=1]    per host: every request (path, status, start and end in
                        time.monotonic() seconds, Authorization header), counts by path, the
                        most requests in flight at once and the smallest gap between
                        consecutive request starts; not counted themselves. reset=1 clears
                        them after answering.
  /__expected?seed_path=/p/0.html&depth=D&scope=host|domain|prefix&robots=respect|ignore
             [&max_pages=N][&agent=farm][&seed=URL]
                        what a correct crawl must produce, from the generator's own graph:
                        {"fetched": [...], "disallowed": [...], "depth": {url: d},
                        "titles": {url: title}}; with max_pages {"fetched_count": n,
                        "reachable": [...]}, the set the fetched URLs must come from.

The crawl the expectation describes: URLs are normalized (scheme and host lower-cased,
default port and fragment dropped, dot segments removed); seeds have depth 0; a link on a
page of depth d has depth d + 1 and is taken only if d + 1 <= D (D = -1: no limit); so
does a redirect's target (a redirect is one more hop); a URL's depth is the smallest
it can be reached with (so a concurrent crawler must not settle a URL at a larger depth and
lose links a shorter path would have taken); only in-scope URLs are taken (host: same
host:port as a seed; prefix: starts with a seed up to its last '/'; domain: a seed's host
or a subdomain, any port); each URL once; a URL robots.txt disallows (robots=respect, for
the product token `agent`) is reported in "disallowed" and never fetched; 404s, other
errors and non-HTML bodies count as fetched and have no links; /robots.txt is not counted.

write DIR writes host A as static files for nginx, the links to host B left out and the
redirects omitted (their /r/ links answer 404 there, which counts as fetched), and with
--expected FILE the URLs a full crawl from /p/0.html (host scope, robots ignored) fetches,
one a line.
"""
import argparse
import collections
import html
import http.server
import json
import os
import random
import re
import stat
import sys
import threading
import time
import urllib.parse

PRIVATE_PAGES, HOST_B_PAGES, FLAKY_PAGES = 4, 5, 3
# links: the normalized URLs the body links to; location: a redirect's Location header;
# title: an HTML page's; flaky: k for /flaky/<k>.html.
Resource = collections.namedtuple("Resource", "status ctype body links location title flaky",
                                  defaults=((), None, None, None))


def page_html(title, links, base=None, extra=""):
    items = "".join('<li><a href="%s">link %d</a></li>\n' % (html.escape(href), n)
                    for n, (href, _) in enumerate(links))
    head = '<base href="%s">' % html.escape(base) if base else ""
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title>%s</head>\n'
            '<body><h1>%s</h1>\n<p>Generated page.</p>\n<ul>\n%s</ul>\n%s</body></html>\n'
            % (html.escape(title), head, html.escape(title), items, extra)).encode()


class Site:
    """The site's graph and every response, for serving, writing and expecting alike."""

    def __init__(self, args, port_a, port_b=None):
        self.n, self.args = args.pages, args
        self.a = "http://127.0.0.1:%d" % port_a
        self.b = "http://127.0.0.1:%d" % port_b if port_b else None
        self.ports = {port_a: "a", port_b: "b"} if port_b else {port_a: "a"}
        self.static = port_b is None  # write mode: no host B, no redirects
        self.pages = [None] * self.n
        rng = random.Random(args.seed)
        children = [[] for _ in range(self.n)]
        for i in range(1, self.n):
            children[rng.randrange(i)].append(i)
        for i in range(self.n):
            self.pages[i] = self._page(rng, i, children[i])

    def _href(self, rng, path, base, forms):
        """A spelling of absolute path `path` on host A, as a page in /p/ may write it."""
        here = "/" if base else "/p/"
        rel = path[len(here):] if path.startswith(here) else "../" + path[1:]
        form = rng.choice(forms)
        return {"abs": self.a + path, "upper": "HTTP" + self.a[4:] + path,
                "dots": self.a + "/x/./.." + path, "net": self.a[5:] + path, "root": path,
                "rel": rel, "dot": "./" + rel, "up": ("x/../" if base else "../") + path[1:],
                "frag": rel + "#s%d" % rng.randrange(9)}[form]

    def _page(self, rng, i, children):
        n = self.n
        base = None
        if i % 10 == 7:
            base = "/" if (i // 10) % 2 else self.a + "/"
        targets = ["/p/%d.html" % c for c in children]
        targets += ["/p/%d.html" % rng.randrange(n) for _ in range(rng.randint(2, 3))]
        specials = [(7, 3, "/r/%d" % rng.randrange(n)), (11, 5, "/p/%d.html" % (n + i)),
                    (22, 16, "/missing/%d.html" % i), (6, 1, "/files/%d.txt" % i),
                    (6, 4, "/files/%d.png" % i), (9, 8, "/private/%d.html" % (i % PRIVATE_PAGES)),
                    (17, 6, "/flaky/%d.html" % (i % FLAKY_PAGES)), (19, 10, "/r/b"),
                    (23, 12, "/r/private"), (5, 2, "/p/%d.html?from=%d" % (rng.randrange(n), i)),
                    (15, 9, "/p/%d.html?a=%d&b=2" % (rng.randrange(n), i))]
        page_forms = ["abs", "upper", "dots", "net", "root", "rel", "dot", "up", "frag"]
        links = [(self._href(rng, t, base, page_forms), self.a + t) for t in targets]
        links += [(self._href(rng, t, base, ["abs", "root", "rel", "up"]), self.a + t)
                  for m, r, t in specials if i % m == r]
        if i % 13 == 2:  # the same draws without host B, so that write gives the same site
            url = "%s/b/%d.html" % (self.b, i % HOST_B_PAGES)
            href = rng.choice([url, url[5:]])
            if self.b:
                links.append((href, url))
        if i % 8 == 0:
            links += [("mailto:site@example.org", None), ("javascript:void(0)", None)]
        rng.shuffle(links)
        extra = ""
        if i % 12 == 11:
            extra = ('<!-- <a href="/trap/c%d.html">old</a> -->\n<script>var s = '
                     '\'<a href="/trap/s%d.html">\';</script>\n' % (i, i))
        title = "Page %d & co" % i if i % 15 == 4 else "Page %d" % i
        return title, links, base, extra

    def split(self, url):
        parts = urllib.parse.urlsplit(url)
        return self.ports.get(parts.port), parts.path + ("?" + parts.query if parts.query else "")

    def robots_groups(self):
        """[(agent, [(pattern, allow)])] of host A, in file order; None without robots.txt."""
        if self.args.no_robots:
            return None
        groups = [("otherbot", [("/", False)])]
        if self.args.robots_farm_group:
            groups.append(("farm", [("/files/", False), ("/files/1.txt", True)]))
        return groups + [("*", [("/private/", False)])]

    def robots_txt(self):
        text = "# robots.txt of the generated test site\n"
        for agent, rules in self.robots_groups():
            text += "\nUser-agent: %s\n" % agent
            text += "".join("%s: %s\n" % ("Allow" if a else "Disallow", p) for p, a in rules)
            if self.args.crawl_delay and agent != "otherbot":
                text += "Crawl-delay: %g\n" % self.args.crawl_delay
        return text.encode()

    def allowed(self, host, target, agent):
        groups = self.robots_groups() if host == "a" else None
        if not groups or target == "/robots.txt":
            return True
        mine = [r for a, r in groups if a.lower() == agent.lower()]
        rules = sum(mine or [r for a, r in groups if a == "*"], [])
        hits = [(len(p), allow) for p, allow in rules if target.startswith(p)]
        return not hits or max(hits)[1]

    def resolve(self, host, target):
        """The response to GET target on host ("a" or "b"), flakiness aside."""
        path = target.split("?")[0]
        number = re.search(r"(\d+)", path)
        k = int(number.group(1)) if number else -1
        a = self.a
        if host == "b":
            if path == "/b/%d.html" % k and k < HOST_B_PAGES:
                nxt, back = "/b/%d.html" % ((k + 1) % HOST_B_PAGES), "/p/%d.html" % (k * 7 % self.n)
                links = [(nxt[3:], self.b + nxt), (a + back, a + back)]
                return self.html("Host B page %d" % k, links)
        elif path == "/robots.txt" and self.robots_groups() is not None:
            return Resource(200, "text/plain", self.robots_txt())
        elif path == "/p/%d.html" % k and k < self.n:
            title, links, base, extra = self.pages[k]
            return self.html(title, links, base, extra)
        elif re.fullmatch(r"/r/(\d+|b|private)", path) and not self.static and k < self.n:
            location = {"/r/b": self.b + "/b/0.html", "/r/private": "/private/0.html"}.get(
                path, ("/p/%d.html" if k % 2 else a + "/p/%d.html") % k)
            return Resource(302, "text/plain", b"moved\n", location=location)
        elif re.fullmatch(r"/files/\d+\.(txt|png)", path) and k < self.n:
            text = ('File %d. Not HTML, so nothing here is a link:\n<a href="/trap/f%d.html">x</a>'
                    '\n%s/trap/u%d.html\n' % (k, k, a, k)).encode()
            if path.endswith(".png"):
                return Resource(200, "image/png", b"\x89PNG\r\n\x1a\n" + text)
            return Resource(200, "text/plain", text)
        elif path == "/private/%d.html" % k and k < PRIVATE_PAGES:
            nxt, back = "/private/%d.html" % ((k + 1) % PRIVATE_PAGES), "/p/%d.html" % (k % self.n)
            return self.html("Private %d" % k, [(nxt, a + nxt), (back, a + back)])
        elif path == "/flaky/%d.html" % k and k < FLAKY_PAGES:
            back = "/p/%d.html" % (3 * k % self.n)
            return self.html("Flaky %d" % k, [(".." + back, a + back)])._replace(flaky=k)
        elif path.startswith("/trap/"):
            return self.html("Trap", [("/trap/more.html", a + "/trap/more.html")])
        # Error pages link somewhere too, but a crawler does not parse them.
        body = page_html("Not found", [("/trap/404.html", None)])
        return Resource(404, "text/html; charset=utf-8", body)

    def html(self, title, links, base=None, extra=""):
        body = page_html(title, links, base, extra)
        urls = [url for _, url in links if url]
        return Resource(200, "text/html; charset=utf-8", body, urls, title=title)

    def in_scope(self, url, seeds, scope):
        parts = urllib.parse.urlsplit(url)
        if scope == "host":
            return any(urllib.parse.urlsplit(s).netloc == parts.netloc for s in seeds)
        if scope == "domain":
            hosts = [urllib.parse.urlsplit(s).hostname for s in seeds]
            return any(parts.hostname == h or parts.hostname.endswith("." + h) for h in hosts)
        return any(url.startswith(s[:s.rindex("/") + 1]) for s in
                   (urllib.parse.urlsplit(s)._replace(query="").geturl() for s in seeds))

    def expected(self, seeds, depth=-1, scope="host", respect=True, agent="farm"):
        """(fetched, disallowed, depths, titles) of a correct crawl: a breadth-first walk,
        a redirect one hop like a link, so each URL gets its smallest depth."""
        best = {url: 0 for url in seeds}
        queue = collections.deque((0, url) for url in seeds)
        done, fetched, disallowed, titles = set(), {}, [], {}
        while queue:
            d, url = queue.popleft()
            if url in done or d > best[url]:
                continue
            done.add(url)
            host, target = self.split(url)
            if respect and not self.allowed(host, target, agent):
                disallowed.append(url)
                continue
            fetched[url] = d
            res = self.resolve(host, target)
            if res.title is not None:
                titles[url] = res.title
            steps = res.links
            if res.location:
                steps = [urllib.parse.urljoin(url, res.location)]
            for nxt in steps:
                if 0 <= depth < d + 1 or not self.in_scope(nxt, seeds, scope):
                    continue
                if d + 1 < best.get(nxt, d + 2):
                    best[nxt] = d + 1
                    queue.append((d + 1, nxt))
        return list(fetched), disallowed, fetched, titles


class HostLog:
    """One host's bookkeeping of the requests it served."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests, self.in_flight, self.max_in_flight = [], 0, 0

    def begin(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return time.monotonic()

    def end(self, path, status, start, auth):
        end = time.monotonic()
        with self.lock:
            self.in_flight -= 1
            self.requests.append({"path": path, "status": status, "start": start, "end": end,
                                  "auth": auth})

    def report(self, reset):
        with self.lock:
            starts = sorted(r["start"] for r in self.requests)
            gaps = [b - a for a, b in zip(starts, starts[1:])]
            out = {"requests": list(self.requests), "max_in_flight": self.max_in_flight,
                   "counts": collections.Counter(r["path"] for r in self.requests),
                   "min_start_gap_s": min(gaps) if gaps else None}
            if reset:
                self.reset()
            return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    logged = None  # (HostLog, start) of the request being answered

    def log_message(self, *args):
        pass

    def reply(self, status, ctype, body, headers=()):
        self.send_response(status)
        for name, value in [("Content-Type", ctype), ("Content-Length", len(body))] + list(headers):
            self.send_header(name, str(value))
        if self.logged:
            # Over before its first byte leaves (headers are buffered until end_headers), so
            # the client cannot start its next request while this one still counts in flight.
            log, start = self.logged
            self.logged = None
            log.end(self.path, status, start, self.headers.get("Authorization"))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state, key = self.server.state, self.server.key
        path, _, query = self.path.partition("?")
        params = urllib.parse.parse_qs(query)
        if path == "/__stats":
            report = {h: log.report("reset" in params) for h, log in state.logs.items()}
            return self.reply(200, "application/json", json.dumps(report).encode())
        if path == "/__expected":
            try:
                answer = state.expectation(params)
            except (ValueError, KeyError) as e:
                return self.reply(400, "text/plain", ("bad query: %s\n" % e).encode())
            return self.reply(200, "application/json", json.dumps(answer).encode())
        log = state.logs[key]
        self.logged = (log, log.begin())
        try:
            if state.args.slow_ms:
                time.sleep(state.args.slow_ms / 1000)
            res = state.site.resolve(key, self.path)
            headers = [("Location", res.location)] if res.location else []
            if res.flaky is not None and state.count(self.path) <= state.args.flaky:
                headers = [("Retry-After", "1")] if res.flaky % 2 == 0 else []
                res = Resource(503, "text/plain", b"busy, try again\n")
            self.reply(res.status, res.ctype, res.body, headers)
        finally:
            if self.logged:  # no reply went out
                log.end(self.path, 0, self.logged[1])


class State:
    def __init__(self, args, site):
        self.args, self.site = args, site
        self.logs = {"a": HostLog(), "b": HostLog()}
        self.lock, self.requests = threading.Lock(), collections.Counter()

    def count(self, path):
        with self.lock:
            self.requests[path] += 1
            return self.requests[path]

    def expectation(self, params):
        seeds = [self.site.a + p for p in params.get("seed_path", [])] + params.get("seed", [])
        respect = params.get("robots", ["respect"])[0]
        scope = params.get("scope", ["host"])[0]
        if respect not in ("respect", "ignore") or scope not in ("host", "domain", "prefix"):
            raise ValueError("robots=respect|ignore, scope=host|domain|prefix")
        fetched, disallowed, depths, titles = self.site.expected(
            seeds or [self.site.a + "/p/0.html"], int(params.get("depth", ["-1"])[0]), scope,
            respect == "respect", params.get("agent", ["farm"])[0])
        if "max_pages" in params:
            return {"fetched_count": min(int(params["max_pages"][0]), len(fetched)),
                    "reachable": fetched}
        return {"fetched": fetched, "disallowed": disallowed, "depth": depths, "titles": titles}


def serve(args):
    servers = []
    for key in ("a", "b"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.request_queue_size = 128
        server.key = key
        servers.append(server)
    ports = [s.server_address[1] for s in servers]
    state = State(args, Site(args, *ports))
    for server in servers:
        server.state = state
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"a": ports[0], "b": ports[1]}), flush=True)
    # A pipe on stdin is the parent's lifeline; /dev/null or a terminal is not.
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        while sys.stdin.buffer.read(65536):
            pass
    else:
        threading.Event().wait()
    os._exit(0)


def write(args):
    site = Site(args, args.port_a)
    fetched = site.expected([site.a + "/p/0.html"], respect=False)[0]
    for url in fetched:
        res = site.resolve(*site.split(url))
        if res.status == 200:
            name = os.path.join(args.dir, urllib.parse.urlsplit(url).path.lstrip("/"))
            os.makedirs(os.path.dirname(name), exist_ok=True)
            with open(name, "wb") as f:
                f.write(res.body)
    if site.robots_groups() is not None:
        with open(os.path.join(args.dir, "robots.txt"), "wb") as f:
            f.write(site.robots_txt())
    if args.expected:
        with open(args.expected, "w") as f:
            f.write("".join(url + "\n" for url in fetched))


def main():
    parser = argparse.ArgumentParser(description="The generated test site (see the top comment).")
    parser.add_argument("mode", choices=["serve", "write"])
    parser.add_argument("dir", nargs="?", help="write: where the files go")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--crawl-delay", type=float, default=0)
    parser.add_argument("--robots-farm-group", action="store_true")
    parser.add_argument("--no-robots", action="store_true")
    parser.add_argument("--flaky", type=int, default=0, help="503s before each /flaky/ page works")
    parser.add_argument("--slow-ms", type=int, default=0)
    parser.add_argument("--port-a", type=int, help="write: the port the files will be served on")
    parser.add_argument("--expected", help="write: where the URLs a full crawl fetches are listed")
    args = parser.parse_args()
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.mode == "write":
        if not args.dir or not args.port_a:
            parser.error("write needs DIR and --port-a")
        return write(args)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
