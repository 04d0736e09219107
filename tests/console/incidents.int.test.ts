import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFingerprint } from '../../src/ingest/alertmanager-payload.js';
import { rolloutStorm } from '../../src/incidents/storm.js';
import type { IncidentView } from '../../src/contract/incidents.js';
import {
  ensureConsoleBuilt,
  getJson,
  launchChromium,
  requestedInvestigation,
  startConsoleApp,
  type ConsoleApp,
} from './harness.js';

// Alert storms in the console: the inbox folds an incident's cases into one row on request, and
// the incident page lists members with their reasons and lets a person split one off. A note with
// markup stays text.
describe('incidents in the console', () => {
  let t: ConsoleApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startConsoleApp({ INCIDENT_WINDOW_MINUTES: '15' }), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'folds a storm into one incident row, and splits a member off from the incident page',
    { timeout: 60_000 },
    async () => {
      const run = randomUUID().slice(0, 8);
      const alerts = rolloutStorm({
        size: 12,
        namespace: `web-${run}`,
        deployment: 'frontend',
        startsAt: new Date(Date.now() - 2000).toISOString(),
        run,
      }).map((a) => ({ ...a, fingerprint: labelsFingerprint(a.labels) }));
      await t.postAlerts({ version: '4', status: 'firing', receiver: 'tarka', alerts });
      let incident: IncidentView | undefined;
      await expect
        .poll(
          async () => {
            const r = await getJson<{ incidents: IncidentView[] }>(`${t.url}/api/incidents?minMembers=2`);
            incident = r.incidents.find((i) => i.namespace === `web-${run}`);
            return incident?.memberCount;
          },
          { timeout: 20_000 },
        )
        .toBe(12);

      const page = await browser.newPage();
      await page.goto(`${t.url}/?q=${encodeURIComponent(`ns:web-${run}`)}`);
      await expect.poll(() => page.locator('tr[data-case]').count(), { timeout: 10_000 }).toBe(12);
      await page.getByLabel('Group alert storms into incidents').check();
      await expect.poll(() => page.locator('tr.incident').count()).toBe(1);
      expect(await page.locator('tr[data-case]').count()).toBe(0);
      await expect
        .poll(() => page.locator('tr.incident').innerText())
        .toMatch(/12 cases.*same (alert|rollout)/);
      await page.locator('tr.incident button').click();
      await expect.poll(() => page.locator('tr[data-case]').count()).toBe(12);

      await page.locator('tr.incident a').click();
      await page.waitForURL(`**/incidents/${incident!.incidentId}`);
      await expect.poll(() => page.locator('tr[data-member]').count(), { timeout: 10_000 }).toBe(12);
      expect(await page.locator('h1').innerText()).toContain('frontend@7c9f8d6b5');
      const victim = alerts[1]!.fingerprint;
      const hostile = '<img src=x onerror="window.__pwned=1"> not this rollout';
      await page.getByLabel('Note for a split or merge').fill(hostile);
      await page.locator(`tr[data-member="${victim}"] button`).click();
      await expect
        .poll(() => page.locator(`tr[data-member="${victim}"]`).innerText(), { timeout: 10_000 })
        .toContain(`split: ${hostile}`);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      // A member's investigation finishing shows on the open page without a reload.
      const other = alerts[2]!.fingerprint;
      const inv = await requestedInvestigation(t.url, other);
      await t.ctx.handler.handle(
        other,
        { type: 'StartInvestigation', investigationId: inv, worker: 'w', attempt: 1 },
        randomUUID(),
      );
      await t.ctx.handler.handle(
        other,
        {
          type: 'CompleteInvestigation',
          investigationId: inv,
          anchor: alerts[2]!.startsAt,
          report: { family: 'crashloop', summary: 'Bad config in 7c9f8d6b5.' },
        },
        randomUUID(),
      );
      await expect
        .poll(() => page.locator(`tr[data-member="${other}"]`).innerText(), { timeout: 10_000 })
        .toContain('completed Bad config in 7c9f8d6b5.');
      const after = await getJson<{ incident: IncidentView }>(
        `${t.url}/api/incidents/${incident!.incidentId}`,
      );
      expect(after.incident.memberCount).toBe(11);
    },
  );
});
