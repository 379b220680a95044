/** Options of cluster mode (`--redis URL`). */
import type { RelayTrace } from '../../src/signaling/relay';
import type { ResumeTokens } from '../../src/signaling/resume';

/** Options of `ClusterRelay.start`. */
export interface ClusterRelayOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0` (`rediss://` for TLS). */
  url: string;
  /** Most peers a room holds, cluster-wide. All processes must use the same value. Default 2. */
  capacity?: number;
  /** Most rooms with a peer on this process (a per-process limit). Default unlimited. */
  maxRooms?: number;
  /** Heartbeat interval in ms. Default 1000. */
  heartbeatMs?: number;
  /** TTL of the heartbeat key in ms: a process silent this long is dead. Default 3000 (≥ 2 heartbeats). */
  ttlMs?: number;
  /** Prefix of every key and channel, to share one Redis between deployments. Default `wp:`. */
  prefix?: string;
  /** How long to wait for Redis at start, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Called for every frame handled or refused. */
  onTrace?: (event: RelayTrace) => void;
  /** How long (ms) a dropped peer's place is held for a resume. Default 0 (none). */
  resumeGraceMs?: number;
  /** Issues and checks resume tokens; every process must share its secret. Default: in memory (this process only). */
  resumeTokens?: ResumeTokens;
  /** Log lines (connection lost/back, peers reaped). Default `console.log`. */
  log?: (line: string) => void;
}
