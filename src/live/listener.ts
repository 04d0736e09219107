import pg from 'pg';
import type { PgSettings } from '../db/postgres.js';
import { PROJECTION_CHANNEL } from '../projections/engine/runner.js';
import type { Logger } from '../shared/log.js';

export interface ProjectionNotice {
  name: string;
  position: number;
}

/**
 * A dedicated Postgres session LISTENing on the projectors' channel. Notifications arrive only
 * after the batch committed. When the session drops it reconnects with backoff and calls
 * `onReconnect`, because notifications sent meanwhile are lost and the caller must catch up.
 */
export class ProjectionListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private backoff = 250;

  constructor(
    private readonly settings: PgSettings,
    private readonly log: Logger,
    private readonly onNotice: (n: ProjectionNotice) => void,
    private readonly onReconnect: () => void,
  ) {}

  /** Resolves once listening; rejects if the first connection fails (the caller retries). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.settings, application_name: 'tarka-live', keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel !== PROJECTION_CHANNEL || !msg.payload) return;
      try {
        const n = JSON.parse(msg.payload) as ProjectionNotice;
        if (typeof n.name === 'string' && Number.isFinite(n.position)) this.onNotice(n);
      } catch {
        /* not ours */
      }
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err }, 'live gateway lost its Postgres LISTEN session; reconnecting');
      this.schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(PROJECTION_CHANNEL)}`);
    } catch (e) {
      client.end().catch(() => undefined);
      throw e;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoff = 250;
  }

  private schedule() {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.connect().then(
        () => this.onReconnect(),
        (err: Error) => {
          this.log.warn({ err: err.message }, 'live gateway cannot LISTEN yet; retrying');
          this.backoff = Math.min(this.backoff * 2, 10_000);
          this.schedule();
        },
      );
    }, this.backoff);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
