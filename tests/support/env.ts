import { randomBytes } from 'node:crypto';

// Integration tests use the real NATS and Postgres of the machine (or CI), each test with its own
// stream and database names so suites can run in any order and twice in a row.
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const PG = {
  host: process.env.TEST_POSTGRES_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_POSTGRES_PORT ?? 5432),
  user: process.env.TEST_POSTGRES_USER ?? 'postgres',
  password: process.env.TEST_POSTGRES_PASSWORD ?? '',
};

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
