// A call between a page on signaler process A and a page on process B, rooms shared through a real Redis.
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, waitForState } from '../helpers/browser';
import { startClusterNode, type ClusterNode } from '../helpers/cluster';
import { startRedis, type TestRedis } from '../helpers/redis';
import { browserSuite } from '../helpers/suite';

// The suite's own server is not used: each page talks to one of two cluster nodes.
const test = browserSuite<{ redis: TestRedis; nodes: [ClusterNode, ClusterNode] }>('call across two signaler processes (Redis)');

test.before(async (ctx) => {
  ctx.redis = await startRedis();
  ctx.nodes = await Promise.all([startClusterNode(ctx.redis.url), startClusterNode(ctx.redis.url)]);
});
test.after(async (ctx) => {
  await Promise.all((ctx.nodes ?? []).map((n) => n.server.close()));
  await ctx.redis?.stop();
});

/** Video frames decoded so far on `page` (getStats inbound-rtp). */
async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (globalThis as { playground?: { call?: { peer?: { pc: RTCPeerConnection } | null } } }).playground?.call?.peer?.pc;
    let frames = 0;
    if (!pc) return frames;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
    });
    return frames;
  });
}

test('peer on process A calls peer on process B: connected, frames decoded both ways, leave seen', async ({ nodes, tb }) => {
  const [A, B] = nodes;
  const a = await openUserPage(tb.browser, `${A.server.url}call.html?room=cluster-call`);
  const b = await openUserPage(tb.browser, `${B.server.url}call.html?room=cluster-call`);
  assert.is.not(A.server.port, B.server.port);
  await a.page.click('#join');
  await waitForState(a.page, '#room-state', 'joined');
  await b.page.click('#join');
  await waitForState(b.page, '#room-state', 'joined');
  assert.is(A.server.relay.members('cluster-call').length, 1, 'one peer on process A');
  assert.is(B.server.relay.members('cluster-call').length, 1, 'one peer on process B');
  await waitForState(a.page, '#call-state', 'connected', 20_000);
  await waitForState(b.page, '#call-state', 'connected', 20_000);
  for (const { page } of [a, b]) {
    await page.bringToFront();
    const first = await framesDecoded(page);
    await page.waitForFunction(
      async (f0: number) => {
        const pc = (globalThis as { playground?: { call?: { peer?: { pc: RTCPeerConnection } | null } } }).playground?.call?.peer?.pc;
        let frames = 0;
        if (!pc) return false;
        (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
        });
        return frames > f0 + 5;
      },
      { timeout: 10_000, polling: 200 },
      first,
    );
  }
  await b.page.click('#leave');
  await waitForState(a.page, '#call-state', 'idle');
  assert.equal([...a.errors, ...b.errors], [], 'no page errors, console errors or failed requests');
  await a.context.close();
  await b.context.close();
});

test.run();
