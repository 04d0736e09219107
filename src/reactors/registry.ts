import type { NatsConnection } from 'nats';
import type { Reactor } from '../projections/engine/projection.js';
import { createObjectStore } from '../reports/create.js';
import { renderReport } from '../reports/render.js';
import type { Config } from '../shared/config.js';
import { dispatcher } from './dispatcher.js';
import { reportWriter } from './report-writer.js';
import { chatAnswerer, type ChatAnswererDeps } from './chat-answerer.js';

/** Every reactor: effects fed from the log, each with its own checkpoint and lock. */
/** `chat`: what the chat answerer reads with (a process that does not answer chat leaves it out). */
export function reactorsOf(
  config: Config,
  nc: NatsConnection,
  chat?: Omit<ChatAnswererDeps, 'config'>,
): Reactor[] {
  return [
    dispatcher(nc.jetstream(), config.JETSTREAM_SUBJECT, config.JETSTREAM_STREAM),
    reportWriter(createObjectStore(config), config.S3_PREFIX, renderReport),
    ...(chat ? [chatAnswerer({ config, ...chat })] : []),
  ];
}
