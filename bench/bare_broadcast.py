"""The push baseline's server: a bare ``websockets`` server that sends every frame it
receives to every other connection with one ``websockets.broadcast``.

    python bench/bare_broadcast.py      (prints ``listening on PORT``; stops on SIGTERM)
"""

from __future__ import annotations

import asyncio
import signal

from websockets.asyncio.server import ServerConnection, broadcast, serve


async def main() -> None:
    async def relay(ws: ServerConnection) -> None:
        async for frame in ws:
            broadcast([c for c in server.connections if c is not ws], frame)

    server = await serve(relay, "127.0.0.1", 0, max_size=None)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    port = next(iter(server.sockets)).getsockname()[1]
    print(f"listening on {port}", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
