/** What a shell (Electron or headless) sees of the core. */
import type { AnyEvent, CommandName, Result } from '@shared/contract';
import type { SecretStore } from './config/secrets';
import type { TeamPort } from './team/team-port';
import type { SimulatedCallCredentials } from './telephony/call-registry';
import type { MediaBridgeLimits } from './telephony/media-bridge';

import type { SyncWorkerData } from './sync/sync-worker';

export interface CoreOptions {
  /** Folder for the database, settings and caches. */
  dataDir: string;
  /** Folder with knowledge base, scenarios and other bundled resources. */
  resourcesDir: string;
  /** Which shell hosts the core; reported to the renderer. */
  transport: 'electron' | 'websocket';
  /** Host and port for the Twilio media bridge; port 0 picks a free one. Limits: production defaults unless set (tests shorten the timings). */
  bridge?: { host?: string; port?: number } & Partial<MediaBridgeLimits>;
  /**
   * Where API keys live. The Electron shell passes a safeStorage-backed store; without one
   * the core keeps them in a 0600 `secrets.json` in `dataDir` (env vars win either way).
   */
  secrets?: SecretStore;
  /** How long Twilio takes to speak a character on ConversationRelay calls (tests speed it up). */
  relayMsPerChar?: number;
  /** Campaigns' clock and tick (issue 15): tests and benchmarks drive time; default Date.now and 250 ms. */
  campaigns?: { now?: () => number; tickMs?: number; onDecision?: (ms: number) => void };
  /** Team sync worker tuning (tests shorten the backoff and the idle poll). */
  syncWorker?: Pick<SyncWorkerData, 'batchSize' | 'baseBackoffMs' | 'maxBackoffMs' | 'idlePollMs' | 'heartbeatMs'>;
  /**
   * The team database for the team view (issue 12: History, Analytics and Export with
   * source 'team'). Without it, or while it has no pool, team requests answer 'unavailable'.
   */
  team?: TeamPort;
}

export interface Core {
  /** Validates `input` against the contract and runs the command. Never throws. */
  dispatch(name: string, input: unknown): Promise<Result<unknown>>;
  /** Every event the core emits, in order. Returns an unsubscribe function. */
  subscribe(listener: (event: AnyEvent) => void): () => void;
  /**
   * A file the core serves to the console (recordings, finished exports), by route such as
   * `recordings/<callId>/<id>` or `exports/<id>`: null when there is no such file. Shells
   * serve it over their authenticated channel with range requests, never via file://.
   */
  file(route: string): Promise<CoreFile | null>;
  /** ws:// URL of the media bridge (what Twilio, or the caller simulator, connects to). */
  readonly bridgeUrl: string;
  /**
   * Registers a simulated call (demo caller, tests, benchmarks): the CallSid and stream
   * parameters (with its single-use token) a caller on `bridgeUrl` must send in `start`; the
   * bridge admits no stream without them. Throws for the CallSid of a real or live call.
   */
  simulatedCall(call?: { from?: string; to?: string; callSid?: string }): SimulatedCallCredentials;
  /** Ends live calls, flushes storage, closes sockets. */
  close(): Promise<void>;
}

export type { CommandName };

/** A file for a shell to serve: stream `path` (supporting ranges) with this content type. */
export interface CoreFile {
  path: string;
  contentType: string;
  /** When set, served as an attachment with this file name (a download). */
  downloadName?: string;
}
