"""A TCP proxy that can cut the connection between Spark and the Pub/Sub emulator:

    python proxy.py --target HOST:PORT --outage-s 30

prints PROXY_LISTENING host:port once listening; on each SIGUSR1 it closes every connection
and, for the next OUTAGE_S seconds, resets each new one at once (a client sees UNAVAILABLE)."""
import argparse
import asyncio
import signal
import sys
import time


class Proxy:
    def __init__(self, target, outage_s):
        self.host, port = target.rsplit(":", 1)
        self.port = int(port)
        self.outage_s = outage_s
        self.down_until = 0.0
        self.open = set()

    def outage(self):
        self.down_until = time.monotonic() + self.outage_s
        for writer in list(self.open):
            writer.transport.abort()
        print("outage for %d s" % self.outage_s, file=sys.stderr, flush=True)

    async def serve(self, client_reader, client_writer):
        if time.monotonic() < self.down_until:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            client_writer.transport.abort()
            return
        self.open.update((client_writer, server_writer))
        try:
            await asyncio.gather(self.pipe(client_reader, server_writer),
                                 self.pipe(server_reader, client_writer))
        finally:
            for w in (client_writer, server_writer):
                self.open.discard(w)
                w.transport.abort()

    @staticmethod
    async def pipe(reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--outage-s", type=int, default=30)
    a = p.parse_args()
    proxy = Proxy(a.target, a.outage_s)
    server = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, proxy.outage)
    port = server.sockets[0].getsockname()[1]
    print("PROXY_LISTENING 127.0.0.1:%d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
