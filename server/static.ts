/**
 * Static files: the built pages and `public/`, through `serve-static`, plus the dev-mode build
 * channel (`/__dev/events`, server-sent events: `state` on connect, `build` after each build).
 *
 * @see https://github.com/expressjs/serve-static
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import serveStatic from 'serve-static';

/** One finished build as the pages hear it: its duration in ms and its errors (`file:line:column: text`). */
export interface BuildAnnouncement {
  ms: number;
  errors: string[];
}

/** A request handler for the HTTPS server, and the dev-mode build channel. */
export interface StaticSite {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Dev mode: tells every open page that a build ended (`build` event: the page reloads, or shows
   * the errors over itself), and remembers it for pages that connect later (`state` event).
   */
  announceBuild(build: BuildAnnouncement): void;
  /** Ends every open reload channel. */
  close(): void;
}

/**
 * Serves `dirs` (first match wins); 405 for other methods than GET/HEAD, 404 for anything missing
 * (and for traversal attempts), never an unhandled stream error.
 * @param dev no caching, and `/__dev/events` announces rebuilds.
 * @param api tried first for every GET/HEAD; returns true when it answered (e.g. `/api/turn`).
 */
export function createStaticSite(
  dirs: readonly string[],
  dev: boolean,
  api: (req: IncomingMessage, res: ServerResponse) => boolean = () => false,
): StaticSite {
  const handlers = dirs.map((dir) =>
    serveStatic(dir, {
      dotfiles: 'ignore',
      extensions: ['html'],
      index: ['index.html'],
      fallthrough: true,
      redirect: false,
      etag: true,
      maxAge: 0,
      setHeaders: (res) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (dev) res.setHeader('Cache-Control', 'no-store');
      },
    }),
  );
  const reloadClients = new Set<ServerResponse>();
  let lastBuild: BuildAnnouncement = { ms: 0, errors: [] };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (dev && req.url === '/__dev/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(`event: state\ndata: ${JSON.stringify(lastBuild)}\n\n`);
      reloadClients.add(res);
      req.on('close', () => reloadClients.delete(res));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    if (api(req, res)) return;
    const notFound = () => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    };
    // serve-static calls next() when a folder has no such file (or the request is a traversal
    // attempt it refuses), and next(err) for read errors: never an unhandled stream error.
    const chain = handlers.reduceRight<(err?: unknown) => void>(
      (next, serve) => (err?: unknown) => {
        if (err) {
          failed(err);
          return;
        }
        serve(req, res, next);
      },
      (err?: unknown) => (err ? failed(err) : notFound()),
    );
    const failed = (err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status >= 400 && status < 500 ? 404 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(status >= 400 && status < 500 ? 'Not found\n' : 'Server error\n');
    };
    chain();
  };

  return {
    handle,
    announceBuild(build) {
      lastBuild = build;
      for (const res of reloadClients) res.write(`event: build\ndata: ${JSON.stringify(build)}\n\n`);
    },
    close() {
      for (const res of reloadClients) res.end();
    },
  };
}
