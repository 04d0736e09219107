import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Real Alertmanager payloads from ../shared/fixtures (the team's shared folder), with a copy kept
// in tests/fixtures/alertmanager so a clone works on its own.
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, 'fixtures', 'alertmanager');

export function alertmanagerFixtures(): {
  name: string;
  body: Record<string, unknown> & { alerts: Record<string, unknown>[] };
}[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, body: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
}
