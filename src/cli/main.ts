#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/log.js';
import { untilSignal } from './signals.js';
import { parseSince } from '../reanalysis/since.js';

// One CLI, one image: every Tarka process is a subcommand. Each loads only its own modules, so a
// webhook does not carry the Kubernetes client or the AWS SDK in memory.
const runtime = () => Promise.all([import('../runtime/context.js'), import('../runtime/processes.js')]);

function boot(name: string): { config: Config; log: Logger } {
  try {
    const config = loadConfig();
    return { config, log: createLogger(config.LOG_LEVEL, `tarka-${name}`) };
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): never {
  if (e instanceof TarkaError) {
    console.error(`tarka: ${e.code}: ${e.message}${e.hint ? `\n  → ${e.hint}` : ''}`);
  } else {
    console.error(`tarka: ${(e as Error)?.stack ?? e}`);
  }
  process.exit(e instanceof TarkaError && e.code === 'TARKA_CONFIG_INVALID' ? 2 : 1);
}

const program = new Command('tarka')
  .description('Tarka: Alertmanager alerts in, honest triage reports out.')
  .showHelpAfterError()
  .addHelpText('after', '\nConfiguration comes from environment variables; see the README.');

program
  .command('serve')
  .description('webhook receiver (POST /alerts), API and console, on HOST:PORT')
  .addOption(
    new Option(
      '--routes <scope>',
      'what to serve besides /health, /ready, /metrics (default: SERVE_ROUTES)',
    ).choices(['all', 'webhook', 'console']),
  )
  .action(async (opts: { routes?: Config['SERVE_ROUTES'] }) => {
    const booted = boot('serve');
    const config = opts.routes ? { ...booted.config, SERVE_ROUTES: opts.routes } : booted.config;
    const { log } = booted;
    // Before any connection: an exposed, unauthenticated serve must not start at all.
    const { assertSecureExposure } = await import('../http/browser-security.js');
    try {
      assertSecureExposure(config);
    } catch (e) {
      fail(e);
    }
    const [{ createContext }, { startServe }] = await runtime();
    const ctx = await createContext(config, log, 'serve', { postgres: 'optional' }).catch(fail);
    const serve = await startServe(ctx).catch(fail);
    await untilSignal(log, [serve], ctx);
  });

program
  .command('project')
  .description('projectors (Postgres read models) and the dispatcher (investigation jobs)')
  .action(async () => {
    const { config, log } = boot('project');
    const [{ createContext }, { startProject }] = await runtime();
    const ctx = await createContext(config, log, 'project').catch(fail);
    const project = await startProject(ctx, { http: true }).catch(fail);
    await untilSignal(log, [project], ctx);
  });

program
  .command('worker')
  .description(
    'investigation worker: pulls jobs from the queue and investigates (health and metrics on PORT)',
  )
  .action(async () => {
    const { config, log } = boot('worker');
    const [{ createContext }, { startOps }] = await runtime();
    const { startWorker } = await import('../runtime/worker-process.js');
    const ctx = await createContext(config, log, 'worker', { postgres: 'optional' }).catch(fail);
    const ops = await startOps(ctx).catch(fail);
    const worker = await startWorker(ctx).catch(fail);
    await untilSignal(log, [ops, worker], ctx);
  });

program
  .command('replay')
  .argument('[read-models...]', 'only these read models (default: every one)')
  .description(
    'rebuild read models from sequence 1 into fresh tables, reading the log once, then switch over',
  )
  .action(async (names: string[]) => {
    const { config, log } = boot('replay');
    const { runReplay } = await import('./replay.js');
    await runReplay(config, log, names).catch(fail);
  });

program
  .command('reanalyze')
  .description(
    'run the current analysis again over the evidence finished investigations stored (no new queries); append changed reports as a new version and print what changed',
  )
  .option(
    '--since <when>',
    'only investigations completed since an ISO instant or a duration (30m, 12h, 7d, 2w)',
    (v) => {
      const d = parseSince(v);
      if (!d)
        throw new InvalidArgumentError(
          'expected an ISO instant (2026-12-01T00:00:00Z) or a duration like 7d',
        );
      return d;
    },
  )
  .option('--family <family>', 'only reports whose current family is this one (e.g. crashloop)')
  .option('--dry-run', 'print the differences, append nothing')
  .option('--limit <n>', 'at most n investigations, the most recently completed first', (v) => {
    if (!/^[1-9][0-9]*$/.test(v)) throw new InvalidArgumentError('expected a positive whole number');
    return Number(v);
  })
  .action(async (o: { since?: Date; family?: string; dryRun?: boolean; limit?: number }) => {
    const { config, log } = boot('reanalyze');
    const { runReanalyze } = await import('./reanalyze.js');
    await runReanalyze(config, log, { ...o, dryRun: o.dryRun ?? false }).catch(fail);
  });

const parked = program
  .command('parked')
  .description('events projectors set aside because they could not apply them');
const parkedOptions = (cmd: Command) =>
  cmd
    .option('--projector <name>', 'only this projector (cases, dispatcher, reports)')
    .option('--seq <n>', 'only the message at this stream sequence', (v) => {
      if (!/^[1-9][0-9]*$/.test(v)) throw new InvalidArgumentError('expected a stream sequence (1 or more)');
      return Number(v);
    });
parkedOptions(parked.command('list').description('list set-aside events (active generation)')).action(
  async (o: { projector?: string; seq?: number }) => {
    const { config, log } = boot('parked');
    const { runParkedList } = await import('./parked.js');
    await runParkedList(config, log, o).catch(fail);
  },
);
parkedOptions(
  parked
    .command('retry')
    .description('apply set-aside events again; removes those that apply, lists what still fails'),
).action(async (o: { projector?: string; seq?: number }) => {
  const { config, log } = boot('parked');
  const { runParkedRetry } = await import('./parked.js');
  process.exitCode = await runParkedRetry(config, log, o).catch(fail);
});

program
  .command('up')
  .description(
    'everything in one process, with embedded NATS, Postgres and report folder when not configured',
  )
  .action(async () => {
    const { config, log } = boot('up');
    const { runUp } = await import('./up.js');
    await runUp(config, log).catch(fail);
  });

const users = program.command('users').description('console users (AUTH_MODE basic or both)');
const roleOption = () =>
  new Option('--role <role>', 'viewer, responder or admin').choices(['viewer', 'responder', 'admin']);
const usersRun = async (cmd: import('./users.js').UsersCommand) => {
  const { config, log } = boot('users');
  const { runUsers } = await import('./users.js');
  await runUsers(config, log, cmd).catch(fail);
};
users
  .command('add <email>')
  .description(
    'add a user; the password is read from stdin with --password-stdin, else generated and shown once',
  )
  .addOption(roleOption().default('viewer'))
  .option('--password-stdin', 'read the password from the first line of stdin')
  .action((email: string, o: { role: 'viewer' | 'responder' | 'admin'; passwordStdin?: boolean }) =>
    usersRun({ action: 'add', email, role: o.role, passwordStdin: o.passwordStdin ?? false }),
  );
users
  .command('disable <email>')
  .description('stop a user signing in and end their sessions')
  .action((email: string) => usersRun({ action: 'disable', email }));
users
  .command('enable <email>')
  .description('let a disabled user sign in again')
  .action((email: string) => usersRun({ action: 'enable', email }));
users
  .command('reset-password <email>')
  .description('set a new password (stdin with --password-stdin, else generated) and end their sessions')
  .option('--password-stdin', 'read the password from the first line of stdin')
  .action((email: string, o: { passwordStdin?: boolean }) =>
    usersRun({ action: 'reset-password', email, passwordStdin: o.passwordStdin ?? false }),
  );
users
  .command('set-role <email>')
  .description("change a user's role")
  .addOption(roleOption().makeOptionMandatory())
  .action((email: string, o: { role: 'viewer' | 'responder' | 'admin' }) =>
    usersRun({ action: 'set-role', email, role: o.role }),
  );
users
  .command('list')
  .description('list users (from the users read model)')
  .action(() => usersRun({ action: 'list' }));

const tokens = program
  .command('tokens')
  .description('API tokens for automation (Authorization: Bearer tarka_…)');
const tokensRun = async (cmd: import('./users.js').TokensCommand) => {
  const { config, log } = boot('tokens');
  const { runTokens } = await import('./users.js');
  await runTokens(config, log, cmd).catch(fail);
};
tokens
  .command('create')
  .description('create a token; its secret is shown once')
  .requiredOption('--name <name>', 'what the token is for')
  .addOption(roleOption().default('viewer'))
  .option(
    '--days <n>',
    'days until it expires (1-366)',
    (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 366)
        throw new InvalidArgumentError('expected 1 to 366');
      return Number(v);
    },
    90,
  )
  .action((o: { name: string; role: 'viewer' | 'responder' | 'admin'; days: number }) =>
    tokensRun({ action: 'create', name: o.name, role: o.role, days: o.days }),
  );
tokens
  .command('revoke <id>')
  .description('revoke a token at once')
  .action((id: string) => tokensRun({ action: 'revoke', id }));
tokens
  .command('list')
  .description('list tokens (never their secrets)')
  .action(() => tokensRun({ action: 'list' }));

// Aliases kept for deployments that call the process by flag.
const aliases: Record<string, string> = { '--serve-webhook': 'serve', '--run-worker': 'worker' };
const argv = process.argv.slice(2).map((a) => aliases[a] ?? a);
await program.parseAsync(argv, { from: 'user' });
