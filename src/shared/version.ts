import { readFileSync } from 'node:fs';

/** The running Tarka's version: package.json sits two levels above src/shared and dist/shared. */
export const tarkaVersion: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
