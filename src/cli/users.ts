import { randomBytes } from 'node:crypto';
import { AuthService } from '../auth/service.js';
import { normalEmail, userIdOf } from '../auth/identity.js';
import { ROLES, type Role } from '../auth/roles.js';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

// `tarka users …` and `tarka tokens …`: the same service the console's admin pages call, so
// the CLI appends the same user and audit events (by `cli:<OS user>`).

const cliActor = () => `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;

export function parseRole(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) {
    throw new TarkaError(
      'TARKA_BAD_REQUEST',
      `role must be one of ${ROLES.join(', ')}, not ${JSON.stringify(v)}`,
    );
  }
  return v as Role;
}

/** A password from stdin (first line), never from the command line where `ps` would show it. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const generated = () => randomBytes(18).toString('base64url');

async function withAuth<T>(
  config: Config,
  log: Logger,
  run: (auth: AuthService, ctx: { pool: import('pg').Pool }) => Promise<T>,
): Promise<T> {
  const { createContext } = await import('../runtime/context.js');
  const ctx = await createContext(config, log, 'users');
  try {
    return await run(new AuthService(config, ctx.pool, ctx.store, log), ctx);
  } finally {
    await ctx.close();
  }
}

export type UsersCommand =
  | { action: 'add'; email: string; role: Role; passwordStdin: boolean; name?: string }
  | { action: 'disable' | 'enable'; email: string }
  | { action: 'reset-password'; email: string; passwordStdin: boolean }
  | { action: 'set-role'; email: string; role: Role }
  | { action: 'list' };

/** Runs one `tarka users` command; prints what a person needs (a generated password once). */
export async function runUsers(
  config: Config,
  log: Logger,
  cmd: UsersCommand,
  out: (line: string) => void = console.log,
): Promise<void> {
  await withAuth(config, log, async (auth, ctx) => {
    switch (cmd.action) {
      case 'add': {
        const password = cmd.passwordStdin ? await passwordFromStdin() : generated();
        const id = await auth.addUser({
          email: cmd.email,
          password,
          role: cmd.role,
          name: cmd.name ?? null,
          by: cliActor(),
        });
        out(`added ${normalEmail(cmd.email)} (${cmd.role}), id ${id}`);
        if (!cmd.passwordStdin) out(`password (shown once): ${password}`);
        return;
      }
      case 'disable':
      case 'enable':
        await auth.setDisabled(userIdOf(cmd.email), cmd.action === 'disable', cliActor());
        out(`${cmd.action}d ${normalEmail(cmd.email)}`);
        return;
      case 'reset-password': {
        const password = cmd.passwordStdin ? await passwordFromStdin() : generated();
        await auth.resetPassword(userIdOf(cmd.email), password, cliActor());
        out(`password reset for ${normalEmail(cmd.email)}; their sessions were ended`);
        if (!cmd.passwordStdin) out(`password (shown once): ${password}`);
        return;
      }
      case 'set-role':
        await auth.changeRole(userIdOf(cmd.email), cmd.role, cliActor());
        out(`${normalEmail(cmd.email)} is now ${cmd.role}`);
        return;
      case 'list': {
        // The users read model (kept by `tarka project`).
        const { rows } = await ctx.pool.query<{
          email: string;
          role: string;
          origin: string;
          disabled: boolean;
        }>('SELECT email, role, origin, disabled FROM users ORDER BY email');
        for (const r of rows) out(`${r.email}\t${r.role}\t${r.origin}${r.disabled ? '\tdisabled' : ''}`);
        if (rows.length === 0) out('no users yet');
        return;
      }
    }
  });
}

export type TokensCommand =
  | { action: 'create'; name: string; role: Role; days: number }
  | { action: 'revoke'; id: string }
  | { action: 'list' };

export async function runTokens(
  config: Config,
  log: Logger,
  cmd: TokensCommand,
  out: (line: string) => void = console.log,
): Promise<void> {
  await withAuth(config, log, async (auth) => {
    switch (cmd.action) {
      case 'create': {
        const t = await auth.createToken({ ...cmd, by: cliActor() });
        out(`token ${t.id} (${cmd.role}) expires ${t.expiresAt}`);
        out(`secret (shown once): ${t.token}`);
        return;
      }
      case 'revoke':
        if (!(await auth.revokeToken(cmd.id, cliActor())))
          throw new TarkaError('TARKA_NOT_FOUND', `no live token ${cmd.id}`);
        out(`revoked ${cmd.id}`);
        return;
      case 'list':
        for (const t of await auth.tokens.list()) {
          out(`${t.id}\t${t.name}\t${t.role}\texpires ${t.expiresAt}${t.revokedAt ? '\trevoked' : ''}`);
        }
        return;
    }
  });
}
