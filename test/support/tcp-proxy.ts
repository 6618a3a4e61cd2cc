import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";

/**
 * A TCP proxy that a test can cut (every connection reset, new ones refused)
 * and heal: a network partition or a service restart between one process
 * and a server, without touching the server other tests share. Muted, it
 * drops what the server sends while still delivering what the client sends:
 * requests arrive, replies are lost.
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>();
  let cut = false;
  let muted = false;
  let refused = 0;
  const passedAt: number[] = [];
  const server = createServer((client) => {
    if (cut) {
      refused++;
      client.destroy();
      return;
    }
    passedAt.push(Date.now());
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(new Transform({ transform: (chunk, _encoding, done) => done(null, muted ? undefined : chunk) })).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** Connections open through the proxy now. */
    connections: () => sockets.size / 2,
    /** Connections turned away while cut, so far. */
    refused: () => refused,
    /** When each connection let through was accepted (ms since the epoch), oldest first. */
    passedAt: () => [...passedAt],
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    heal() {
      cut = false;
      muted = false;
    },
    mute() {
      muted = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
