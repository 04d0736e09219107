import { readFileSync } from 'node:fs';
import type { Config } from '../shared/config.js';
import { TarkaError } from '../shared/errors.js';
import { httpSource, type HttpSource } from './http.js';

// The three HTTP data sources as configured: URL split into where to send and what to show,
// credentials turned into headers, the CA bundle read once. Called at start, so a missing CA
// file stops start-up naming its variable.

export interface DataSources {
  prometheus?: HttpSource;
  alertmanager?: HttpSource;
  logs?: HttpSource;
}

const PREFIXES = { prometheus: 'PROMETHEUS', alertmanager: 'ALERTMANAGER', logs: 'LOGS' } as const;

export function dataSources(config: Config): DataSources {
  const out: DataSources = {};
  for (const [key, p] of Object.entries(PREFIXES) as [
    keyof DataSources,
    (typeof PREFIXES)[keyof DataSources],
  ][]) {
    const url = config[`${p}_URL`];
    if (!url) continue;
    const caFile = config[`${p}_TLS_CA_FILE`];
    out[key] = httpSource(url, {
      bearerToken: config[`${p}_BEARER_TOKEN`],
      basicUser: config[`${p}_BASIC_USER`],
      basicPassword: config[`${p}_BASIC_PASSWORD`],
      headers: config[`${p}_HEADERS`],
      ca: caFile === undefined ? undefined : readCa(`${p}_TLS_CA_FILE`, caFile),
      insecureSkipVerify: config[`${p}_TLS_INSECURE_SKIP_VERIFY`],
      maxResponseBytes: config.COLLECTOR_MAX_RESPONSE_BYTES,
      settings: p,
    });
  }
  return out;
}

/** Variables that turn certificate verification off, for a warning at start. */
export function insecureSources(config: Config): string[] {
  return Object.values(PREFIXES)
    .filter((p) => config[`${p}_URL`] && config[`${p}_TLS_INSECURE_SKIP_VERIFY`])
    .map((p) => `${p}_TLS_INSECURE_SKIP_VERIFY`);
}

function readCa(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TarkaError(
      'TARKA_CONFIG_INVALID',
      `invalid configuration:\n  ${variable}=${JSON.stringify(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'mount the CA bundle (PEM) at that path, or unset the variable',
    );
  }
}
