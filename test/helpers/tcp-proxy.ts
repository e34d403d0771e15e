import net from 'node:net';

/**
 * A loopback TCP proxy in front of the shared PostgreSQL server. Tests break the app's connections
 * here (the server itself is shared with other test files and must keep running): `cut()` is what the
 * app sees of a server restart, every connection gone and new ones refused until `resume()`.
 */
export interface TcpProxy {
  port: number;
  /** Local ports of the connections to the server, as pg_stat_activity.client_port shows them. */
  upstreamPorts(): number[];
  cut(): void;
  /** Refuses new connections (ECONNREFUSED) and leaves the open ones alone. */
  refuse(): void;
  resume(): Promise<void>;
  /**
   * The next chunk the app sends that `matches` accepts still reaches the server, but the app's
   * connection ends at once and the server's answer is dropped: resolves once the server has answered.
   */
  loseAnswerTo(matches: (chunk: Buffer) => boolean): Promise<void>;
  close(): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let trap: { matches: (chunk: Buffer) => boolean; sprung: () => void } | null = null;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    let detached = false;
    const drop = () => {
      if (detached) return;
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // By hand rather than pipe(): a trap must see each chunk before it is passed on.
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (!trap?.matches(chunk)) return;
      const { sprung } = trap;
      trap = null;
      detached = true;
      pairs.delete(pair);
      client.destroy();
      upstream.removeAllListeners('data');
      upstream.once('data', () => {
        upstream.destroy();
        sprung();
      });
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // Closing the listening socket refuses new connections at once; the callback of close() would wait
  // for the open ones, which is not wanted here.
  const refuse = () => {
    if (server.listening) server.close();
  };
  const destroyAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    upstreamPorts: () => [...pairs].map((p) => p.upstream.localPort).filter((p): p is number => !!p),
    refuse,
    cut() {
      refuse();
      destroyAll();
    },
    async resume() {
      if (!server.listening) await listen(port);
    },
    loseAnswerTo(matches) {
      return new Promise((sprung) => (trap = { matches, sprung }));
    },
    close() {
      refuse();
      destroyAll();
    },
  };
}
