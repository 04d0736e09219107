import type { Frame, ListenedFrame } from '../../../src/contract/frames.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/**
 * The console's one websocket to /api/live. It reconnects with backoff and its last synced
 * sequence, so the server sends only the gap. `epoch` moves whenever pages must refetch (a fresh
 * connection or a reset), since frames alone would not cover what happened before.
 */
class LiveConnection {
  status = $state<LiveStatus>('connecting');
  /** Position of the last complete batch: everything up to here has arrived. */
  seq = $state(0);
  epoch = $state(0);
  /** When the connection last dropped (to say how old the screen may be). */
  since = $state<number | null>(null);

  private resumeFrom: number | undefined;
  private ws: WebSocket | undefined;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(f: ListenedFrame) => void>();
  private started = false;

  start() {
    if (this.started || typeof window === 'undefined') return;
    this.started = true;
    this.connect();
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('offline', () => this.dropped(true));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.ws) this.retryNow();
    });
  }

  /** Calls fn for every row frame; returns the unsubscribe function (for $effect). */
  subscribe(fn: (f: ListenedFrame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private connect() {
    clearTimeout(this.timer);
    const url = new URL('/api/live', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.resumeFrom !== undefined) url.searchParams.set('since', String(this.resumeFrom));
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => (opened = true);
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      try {
        this.receive(JSON.parse(ev.data as string) as Frame);
      } catch (e) {
        console.error('tarka: bad live frame', e);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      // 4401: the session ended (signed out elsewhere, expired, revoked): sign in again, then back here.
      if (ev.code === 4401) {
        this.signIn();
        return;
      }
      // Refused before it opened: an ended session is refused at the upgrade, which a browser only
      // reports as a failure. The API says 401 in words: then sign in instead of retrying forever.
      if (!opened) void this.signInIfSignedOut();
      this.dropped(false);
    };
  }

  private signIn() {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }

  private async signInIfSignedOut() {
    try {
      if ((await fetch('/api/auth/me')).status === 401) this.signIn();
    } catch {
      // Offline or the server is away: the retries continue.
    }
  }

  private receive(f: Frame) {
    switch (f.type) {
      case 'hello':
        this.attempts = 0;
        this.status = 'live';
        this.since = null;
        if (!f.resumed) this.resync(f.seq);
        return;
      case 'sync':
        this.resumeFrom = f.seq;
        this.seq = f.seq;
        return;
      case 'reset':
        this.resync(f.seq);
        return;
      default:
        for (const fn of this.listeners) fn(f);
    }
  }

  private resync(seq: number) {
    this.resumeFrom = seq;
    this.seq = seq;
    this.epoch++;
  }

  private dropped(offline: boolean) {
    this.since ??= Date.now();
    if (offline || !navigator.onLine) {
      this.status = 'offline';
      this.ws?.close();
      this.ws = undefined;
      return; // the 'online' event reconnects
    }
    // After a few quick tries, say plainly that we are offline while still trying in the background.
    this.status = this.attempts >= 4 ? 'offline' : 'reconnecting';
    const delay = Math.min(15_000, 500 * 2 ** this.attempts) * (0.6 + Math.random() * 0.4);
    this.attempts++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private retryNow() {
    if (this.ws) return;
    this.attempts = 0;
    this.status = 'reconnecting';
    this.connect();
  }
}

export const live = new LiveConnection();
