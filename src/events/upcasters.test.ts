import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventSchemas, eventVersions } from './catalogue.js';
import { upcast } from './upcasters.js';

// A golden fixture per historical schema version: each must still read as the current shape.
const dir = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: f,
    ...(JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as {
      type: keyof typeof eventSchemas;
      schema: number;
      data: unknown;
    }),
  }));

describe('event upcasters', () => {
  it.each(fixtures)('$file reads as the current $type schema', ({ type, schema, data }) => {
    const event = upcast(type, schema, data);
    expect(eventSchemas[type].safeParse(event.data).success).toBe(true);
  });

  it('keeps a fixture for every version of every event type that has more than one', () => {
    for (const [type, current] of Object.entries(eventVersions)) {
      for (let v = 1; v <= current && current > 1; v++) {
        expect(
          fixtures.some((f) => f.type === type && f.schema === v),
          `${type}@${v} fixture`,
        ).toBe(true);
      }
    }
  });

  it('moves v1 delivery fields of AlertFired into its notification', () => {
    const v1 = fixtures.find((f) => f.type === 'AlertFired' && f.schema === 1)!;
    expect(upcast('AlertFired', 1, v1.data).data).toMatchObject({
      notification: {
        receiver: 'tarka',
        groupKey: '{}:{alertname="KubePodCrashLooping"}',
        truncatedAlerts: 0,
        reason: null,
      },
    });
  });

  it('refuses events newer than this build and unknown types, saying what to do', () => {
    expect(() => upcast('AlertFired', 99, {})).toThrow(/newer than this Tarka understands/);
    expect(() => upcast('Nope', 1, {})).toThrow(/unknown event type/);
  });
});

describe('AlertFired labels', () => {
  it('keeps labels named like Object.prototype members, __proto__ included', () => {
    const stored = JSON.parse(
      '{"fingerprint":"f","episode":1,"startsAt":"2026-12-01T00:00:00Z","generatorURL":null,' +
        '"labels":{"alertname":"A","__proto__":"p","constructor":"c"},"annotations":{},' +
        '"notification":{"receiver":null,"groupKey":null,"truncatedAlerts":0,"reason":null}}',
    ) as unknown;
    const event = upcast('AlertFired', eventVersions.AlertFired, stored);
    const labels = (event.data as { labels: Record<string, string> }).labels;
    expect(Object.entries(labels)).toEqual([
      ['alertname', 'A'],
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    expect(JSON.parse(JSON.stringify(labels))).toHaveProperty(['__proto__'], 'p');
  });

  it('still refuses labels that are not strings', () => {
    expect(() =>
      upcast('AlertFired', eventVersions.AlertFired, {
        fingerprint: 'f',
        episode: 1,
        startsAt: '2026-12-01T00:00:00Z',
        generatorURL: null,
        labels: { alertname: 1 },
        annotations: {},
        notification: { receiver: null, groupKey: null, truncatedAlerts: 0, reason: null },
      }),
    ).toThrow(/does not match its schema/);
  });
});
