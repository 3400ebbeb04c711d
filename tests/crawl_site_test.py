#!/usr/bin/python3
"""Checks tests/crawl_site.py against itself: a small crawler of its own (http.client,
html.parser, urllib.robotparser; nothing shared with the generator) crawls what the site
really serves, and must find exactly what /__expected says, with the stats counting every
request. Run by CTest; stdlib only."""
import functools
import html.parser
import http.client
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.robotparser

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crawl_site.py")


class Site:
    """crawl_site.py serve as a child, stopped by closing its stdin."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, SITE, "serve", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ports = json.loads(self.proc.stdout.readline())
        self.a, self.b = "http://127.0.0.1:%d" % ports["a"], "http://127.0.0.1:%d" % ports["b"]

    def json(self, path):
        return json.loads(get(self.a + path)[2])

    def expected(self, **query):
        return self.json("/__expected?" + urllib.parse.urlencode(query))

    def close(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=10)  # a closed stdin stops it

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


def get(url):
    """(status, headers, body) of GET url, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def normalize(url):
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname.lower() + ("" if parts.port in (None, 80) else ":%d" % parts.port)
    path = urllib.parse.urljoin("/", parts.path or "/")  # removes dot segments
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.base, self.hrefs, self.title, self.in_title = None, [], "", False

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "base" and self.base is None and href is not None:
            self.base = href
        elif tag == "a" and href is not None:
            self.hrefs.append(href)
        self.in_title = tag == "title"

    def handle_endtag(self, tag):
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def in_scope(url, seeds, scope):
    here = urllib.parse.urlsplit(url)
    for seed in seeds:
        there = urllib.parse.urlsplit(seed)
        if scope == "host" and here.netloc == there.netloc:
            return True
        if scope == "domain" and (here.hostname == there.hostname or
                                  here.hostname.endswith("." + there.hostname)):
            return True
        if scope == "prefix" and url.startswith(seed[:seed.rindex("/") + 1]):
            return True
    return False


def crawl(seeds, depth=-1, scope="host", robots=True, agent="farm"):
    """{url: depth}, [disallowed], {url: title}: breadth first, a redirect one hop like a link."""
    best, queue = {url: 0 for url in seeds}, [(0, url) for url in seeds]
    fetched, disallowed, titles, rules = {}, [], {}, {}
    while queue:
        queue.sort(key=lambda item: item[0])  # small sites: a sort is fast enough
        d, url = queue.pop(0)
        if url in fetched or url in disallowed or d > best[url]:
            continue
        origin = url[:url.index("/", 8)]
        if robots and origin not in rules:
            status, _, body = get(origin + "/robots.txt")
            rules[origin] = urllib.robotparser.RobotFileParser()
            rules[origin].parse(body.decode().splitlines() if status == 200 else [])
        if robots and not rules[origin].can_fetch(agent, url):
            disallowed.append(url)
            continue
        for _ in range(10):
            status, headers, body = get(url)
            if status != 503:
                break
            time.sleep(0.05)
        fetched[url] = d
        steps = []
        if status in (301, 302):
            steps = [(normalize(urllib.parse.urljoin(url, headers["Location"])), 1)]
        elif status == 200 and headers["Content-Type"].startswith("text/html"):
            page = Links()
            page.feed(body.decode())
            titles[url] = page.title
            base = urllib.parse.urljoin(url, page.base) if page.base else url
            for href in page.hrefs:
                target = urllib.parse.urljoin(base, href)
                if target.startswith(("http://", "https://")):
                    steps.append((normalize(target), 1))
        for target, cost in steps:
            if (cost and 0 <= depth < d + 1) or not in_scope(target, seeds, scope):
                continue
            if d + cost < best.get(target, d + cost + 1):
                best[target] = d + cost
                queue.append((d + cost, target))
    return fetched, disallowed, titles


def target_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class CrawlSiteTest(unittest.TestCase):
    def check_crawl(self, site, **query):
        seeds = [site.a + "/p/0.html"]
        want = site.expected(**query)
        fetched, disallowed, titles = crawl(seeds, int(query.get("depth", -1)),
                                            query.get("scope", "host"),
                                            query.get("robots", "respect") == "respect")
        self.assertEqual(sorted(fetched), sorted(want["fetched"]))
        self.assertEqual(fetched, want["depth"])
        self.assertEqual(sorted(disallowed), sorted(want["disallowed"]))
        self.assertEqual(titles, want["titles"])
        return want

    def test_crawl_finds_what_is_expected_and_stats_count_each_request(self):
        with Site("--pages", "300", "--seed", "7", "--flaky", "2") as site:
            want = self.check_crawl(site)
            stats = site.json("/__stats")
            counts = stats["a"]["counts"]
            for url in want["fetched"]:
                self.assertEqual(counts.pop(target_of(url)), 3 if "/flaky/" in url else 1, url)
            self.assertEqual(counts, {"/robots.txt": 1})
            self.assertEqual(stats["b"]["requests"], [])
            self.assertTrue(any("/private/" in url for url in want["disallowed"]))
            self.assertTrue(any(r["status"] == 503 for r in stats["a"]["requests"]))
            self.assertEqual(stats["a"]["max_in_flight"], 1)  # one request at a time here
            self.assertEqual(site.close(), 0)

    def test_depth_limit_and_domain_scope(self):
        with Site("--pages", "300", "--seed", "3") as site:
            want = self.check_crawl(site, depth=2, scope="domain", robots="ignore")
            self.assertTrue(any(url.startswith(site.b) for url in want["fetched"]))
            self.assertTrue(any("/private/" in url for url in want["fetched"]))
            self.assertEqual(max(want["depth"].values()), 2)

    def test_prefix_scope_and_redirect_targets(self):
        with Site("--pages", "300") as site:
            want = self.check_crawl(site, scope="prefix")
            self.assertTrue(all(url.startswith(site.a + "/p/") for url in want["fetched"]))
            want = self.check_crawl(site, scope="domain")
            # /r/b leads to host B; /r/private to a page robots.txt disallows.
            self.assertIn(site.b + "/b/0.html", want["fetched"])
            self.assertIn(site.a + "/private/0.html", want["disallowed"])

    def test_default_site_is_large_and_every_page_reachable(self):
        with Site() as site, Site() as twin:
            want = site.expected(seed_path="/p/0.html", depth=-1, scope="host", robots="respect")
            self.assertGreater(len(want["fetched"]), 1000)
            self.assertFalse([url for url in want["fetched"] if "/private/" in url])
            self.assertTrue(want["disallowed"])
            pages = site.expected(scope="prefix")["fetched"]
            self.assertEqual(len(pages), len(set(pages)))
            self.assertTrue({site.a + "/p/%d.html" % i for i in range(2000)} <= set(pages))
            ignoring = site.expected(robots="ignore")
            self.assertTrue([url for url in ignoring["fetched"] if "/private/" in url])
            self.assertEqual(site.expected(depth=0)["fetched"], [site.a + "/p/0.html"])
            self.assertFalse([url for url in want["fetched"] if url.startswith(site.b)])
            limited = site.expected(max_pages=50)
            self.assertEqual(limited["fetched_count"], 50)
            self.assertEqual(sorted(limited["reachable"]), sorted(want["fetched"]))
            # The same seed, the same site: only the ports differ.
            same = twin.expected()["fetched"]
            self.assertEqual([u.replace(twin.a, site.a) for u in same], want["fetched"])

    def test_farm_group_is_chosen_over_the_star_group(self):
        with Site("--pages", "100", "--robots-farm-group", "--crawl-delay", "0.5") as site:
            text = get(site.a + "/robots.txt")[2].decode()
            self.assertIn("User-agent: farm\n", text)
            self.assertIn("Crawl-delay: 0.5\n", text)
            want = site.expected()
            self.assertTrue([url for url in want["fetched"] if "/private/" in url])
            self.assertIn(site.a + "/files/1.txt", want["fetched"])  # the longer Allow
            self.assertIn(site.a + "/files/7.txt", want["disallowed"])
            other = site.expected(agent="somebot")
            self.assertIn(site.a + "/private/0.html", other["disallowed"])
            self.assertIn(site.a + "/files/7.txt", other["fetched"])
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(text.splitlines())
            self.assertTrue(parser.can_fetch("farm", site.a + "/private/0.html"))
            self.assertFalse(parser.can_fetch("farm", site.a + "/files/7.txt"))
            self.assertFalse(parser.can_fetch("somebot", site.a + "/private/0.html"))

    def test_without_robots_txt(self):
        with Site("--pages", "50", "--no-robots") as site:
            self.assertEqual(get(site.a + "/robots.txt")[0], 404)
            self.assertEqual(get(site.b + "/robots.txt")[0], 404)
            self.check_crawl(site)
            self.assertNotIn("Crawl-delay", get(site.a + "/p/0.html")[2].decode())

    def test_slow_responses_overlap_and_are_timed(self):
        with Site("--pages", "20", "--slow-ms", "300") as site:
            threads = [threading.Thread(target=get, args=(site.a + "/p/%d.html" % i,))
                       for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            stats = site.json("/__stats?reset=1")["a"]
            self.assertGreaterEqual(stats["max_in_flight"], 2)
            self.assertEqual(len(stats["requests"]), 4)
            self.assertTrue(all(r["end"] - r["start"] >= 0.29 for r in stats["requests"]))
            self.assertGreaterEqual(stats["min_start_gap_s"], 0)
            self.assertEqual(site.json("/__stats")["a"]["requests"], [])  # reset

    def test_write_mode_serves_the_same_crawl_from_files(self):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        with tempfile.TemporaryDirectory() as root:
            handler = functools.partial(Quiet, directory=root + "/www")
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            port = server.server_address[1]
            subprocess.run([sys.executable, SITE, "write", root + "/www", "--port-a", str(port),
                            "--pages", "200", "--expected", root + "/expected.txt"], check=True)
            try:
                base = "http://127.0.0.1:%d" % port
                fetched = crawl([base + "/p/0.html"], robots=False)[0]
            finally:
                server.shutdown()
                server.server_close()
            with open(root + "/expected.txt") as f:
                self.assertEqual(sorted(fetched), sorted(f.read().split()))
            self.assertTrue(os.path.exists(root + "/www/robots.txt"))
            self.assertTrue(all(os.path.exists(root + "/www/p/%d.html" % i) for i in range(200)))


if __name__ == "__main__":
    unittest.main()
