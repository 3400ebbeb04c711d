#!/usr/bin/python3
"""The aiohttp baseline of scripts/bench_fetch.sh: download every URL in a
file, at most 50 at once (a semaphore), saving each body under DIR.

usage: fetch_aiohttp.py URLS DIR [PARALLEL]
"""
import asyncio
import os
import sys

import aiohttp


async def fetch(session, semaphore, url, path):
    async with semaphore:
        async with session.get(url) as response:
            body = await response.read()
            response.raise_for_status()
    with open(path, "wb") as out:
        out.write(body)


async def main(urls_file, out_dir, parallel):
    with open(urls_file) as f:
        urls = [line.strip() for line in f if line.strip()]
    os.makedirs(out_dir, exist_ok=True)
    semaphore = asyncio.Semaphore(parallel)
    connector = aiohttp.TCPConnector(limit=parallel)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(fetch(session, semaphore, url, os.path.join(out_dir, str(i)))
                               for i, url in enumerate(urls)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 50))
