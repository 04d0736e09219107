import type { Config } from '../shared/config.js';
import type { Principal } from './principal.js';
import type { AuthService } from './service.js';

// Open websockets per user in this process, so a sign-out everywhere (or a disable) here closes
// them at once; other replicas notice within AUTH_SESSION_CHECK_SECONDS through Postgres.
const open = new Map<string, Set<() => void>>();
const hooked = new WeakSet<AuthService>();

/**
 * Watches the session a live websocket was opened with; calls `close` when it is revoked or
 * expires. Returns the function that stops watching (on socket close).
 */
export function watchSession(
  auth: AuthService | null,
  principal: Principal | null,
  config: Config,
  close: () => void,
): () => void {
  if (!auth || principal?.via !== 'session' || !principal.session || !principal.userId)
    return () => undefined;
  if (!hooked.has(auth)) {
    hooked.add(auth);
    const previous = auth.onRevoked;
    auth.onRevoked = (userId) => {
      previous(userId);
      for (const end of open.get(userId) ?? []) end();
    };
  }
  const session = principal.session;
  const userId = principal.userId;
  let stopped = false;
  const end = () => {
    if (stopped) return;
    stop();
    close();
  };
  const timer = setInterval(() => {
    auth.sessions.alive(session).then(
      (ok) => (ok ? undefined : end()),
      () => undefined, // Postgres away: keep the socket; the next check decides.
    );
  }, config.AUTH_SESSION_CHECK_SECONDS * 1000);
  timer.unref();
  const mine = open.get(userId) ?? new Set();
  mine.add(end);
  open.set(userId, mine);
  function stop() {
    stopped = true;
    clearInterval(timer);
    mine.delete(end);
    if (mine.size === 0) open.delete(userId);
  }
  return stop;
}
