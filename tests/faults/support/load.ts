import { labelsFingerprint } from '../../../src/ingest/alertmanager-payload.js';

/** One response the load generator saw, for looking at a time window afterwards. */
export interface Answer {
  at: number;
  status: number | 'error';
  ms: number;
}

export interface LoadOptions {
  /** `tarka serve` base URLs; attempts go round-robin over them. */
  urls: string[];
  /** Distinguishes this run's alerts from any other's (pod label prefix). */
  prefix: string;
  senders?: number;
  alertsPerGroup?: number;
  /** Pause between retries of a group that got 503 or no answer (Alertmanager backs off too). */
  retryDelayMs?: number;
  /** Pause of each sender between two groups: paces the load (Alertmanager sends in bursts, not a flood). */
  groupIntervalMs?: number;
  /** Cap on the alerts the generator creates; it stops making new groups past it. */
  maxAlerts?: number;
}

export interface FaultAlert {
  fingerprint: string;
  labels: Record<string, string>;
}

/**
 * Sends Alertmanager notifications as Alertmanager does: a group is retried (same body) after a
 * 503 or a dropped connection until it is accepted. An alert counts as acknowledged once a POST
 * holding it answered 202; those are the alerts that must never be lost.
 */
export class AlertLoad {
  readonly sent = new Map<string, FaultAlert>();
  readonly acked = new Set<string>();
  readonly answers: Answer[] = [];
  /** Groups answered 4xx: the generator's payloads are valid, so any of these is a defect. */
  readonly rejected: { status: number; body: string }[] = [];
  private next = 0;
  private creating = true;
  private draining = false;
  private drainDeadline = Infinity;
  private running: Promise<void>[] = [];
  private readonly startsAt = new Date(Date.now() - 60_000).toISOString();
  private listeners = new Set<() => void>();

  constructor(private readonly opts: LoadOptions) {}

  start(): this {
    const n = this.opts.senders ?? 4;
    for (let i = 0; i < n; i++) this.running.push(this.sender());
    return this;
  }

  /** Stops making new groups, keeps retrying unacknowledged ones for up to drainMs, then returns. */
  async stop(drainMs = 30_000): Promise<void> {
    this.creating = false;
    this.draining = true;
    this.drainDeadline = Date.now() + drainMs;
    await Promise.all(this.running);
  }

  /** Resolves once at least n alerts are acknowledged. */
  async waitAcked(n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked.size < n) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.acked.size} of ${n} alerts acknowledged after ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.listeners.add(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Answers received between two instants (ms since epoch). */
  answersBetween(from: number, to: number): Answer[] {
    return this.answers.filter((a) => a.at >= from && a.at <= to);
  }

  count(status: number | 'error'): number {
    return this.answers.filter((a) => a.status === status).length;
  }

  private group(): { body: unknown; alerts: FaultAlert[] } | null {
    const size = this.opts.alertsPerGroup ?? 5;
    if (!this.creating) return null;
    if (this.opts.maxAlerts !== undefined && this.next >= this.opts.maxAlerts) return null;
    const g = this.next;
    this.next += size;
    const alerts = Array.from({ length: size }, (_, i) => {
      const labels = {
        alertname: 'FaultLoad',
        namespace: 'faults',
        pod: `${this.opts.prefix}-${g + i}`,
        severity: 'warning',
      };
      return { labels, fingerprint: labelsFingerprint(labels) };
    });
    const body = {
      version: '4',
      status: 'firing',
      receiver: 'tarka',
      groupKey: `{}:{alertname="FaultLoad", pod="${this.opts.prefix}-${g}"}`,
      truncatedAlerts: 0,
      groupLabels: { alertname: 'FaultLoad' },
      commonLabels: { alertname: 'FaultLoad', namespace: 'faults' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.faults:9093',
      alerts: alerts.map((a) => ({
        status: 'firing',
        labels: a.labels,
        annotations: { summary: `fault load ${a.labels.pod}` },
        startsAt: this.startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.faults:9090/graph',
        fingerprint: a.fingerprint,
      })),
    };
    return { body, alerts };
  }

  private async sender(): Promise<void> {
    let attempt = 0;
    for (;;) {
      const g = this.group();
      if (!g) return;
      for (const a of g.alerts) this.sent.set(a.fingerprint, a);
      const payload = JSON.stringify(g.body);
      for (;;) {
        const url = this.opts.urls[attempt++ % this.opts.urls.length]!;
        const t0 = Date.now();
        let status: number | 'error';
        let text = '';
        try {
          const res = await fetch(`${url}/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: payload,
            signal: AbortSignal.timeout(15_000),
          });
          status = res.status;
          text = await res.text();
        } catch {
          status = 'error';
        }
        this.answers.push({ at: Date.now(), status, ms: Date.now() - t0 });
        if (status === 202) {
          for (const a of g.alerts) this.acked.add(a.fingerprint);
          for (const l of this.listeners) l();
          this.listeners.clear();
          break;
        }
        if (typeof status === 'number' && status >= 400 && status < 500) {
          this.rejected.push({ status, body: text.slice(0, 500) });
          break;
        }
        if (this.draining && Date.now() > this.drainDeadline) break;
        await new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 200));
      }
      if (this.opts.groupIntervalMs) await new Promise((r) => setTimeout(r, this.opts.groupIntervalMs));
    }
  }
}
