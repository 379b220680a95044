/**
 * A TCP pass-through on 127.0.0.1 that a test can shut: one cluster process reaches Redis through
 * it, so that process can be kept away from Redis while the others are back (a process that
 * reconnects late).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running gate. */
export interface TcpGate {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /** Cuts every connection through the gate and refuses new ones until {@link TcpGate.open}. */
  shut(): void;
  /** Lets connections through again. */
  open(): void;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/** Starts a gate (open) in front of `127.0.0.1:<targetPort>`. */
export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let shut = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => s.destroy());
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (shut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const cutAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    shut() {
      shut = true;
      cutAll();
    },
    open() {
      shut = false;
    },
    close() {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
