// Calls to the Kubernetes API: abort and timeout wiring, failures that say what access is missing,
// and bounded paged lists.

import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type V1LabelSelector,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import type { EventsData, EvidenceRequest, LogsData, NodeData, PodData, WorkloadData } from './evidence.js';
import { isAbort, parseJson, unreachable } from './http.js';
import { type CollectContext, type Outcome } from './item.js';

export type KubernetesRequest = Extract<EvidenceRequest, { source: 'kubernetes' }>;
export type KubernetesData = PodData | WorkloadData | EventsData | NodeData | LogsData;

export function abortOptions(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** What a failed call was about, to say so in words. */
export interface Target {
  /** API resource, e.g. pods, deployments. */
  resource: string;
  /** How people name it, e.g. "pod shop/api-123". */
  label: string;
  namespace?: string;
  /** Why it may be missing, for 404s. */
  hint: string;
  verb?: 'get' | 'list';
}

export function statusMessage(err: ApiException<unknown>): string {
  const body = err.body;
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  const msg = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof msg === 'string') return msg;
  return typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${err.code}`;
}

export function isApiException(err: unknown): err is ApiException<unknown> {
  // Duck-typed as well, in case two copies of the client are loaded; DOMException also has a
  // numeric code, so an HTTP answer is recognised by its headers too.
  if (err instanceof ApiException) return true;
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'headers' in err;
}

export function failure(
  err: unknown,
  target: Target,
  query: string,
  server: string,
  ctx: CollectContext,
): Outcome<never> {
  if (!isAbort(err, ctx) && isApiException(err)) {
    const message = statusMessage(err);
    if (err.code === 404)
      return { status: 'empty', query, error: `${target.label} not found (${target.hint})` };
    if (err.code === 403) {
      const where = target.namespace ? ` in namespace ${target.namespace}` : '';
      return {
        status: 'error',
        query,
        error: `Kubernetes API denied ${target.verb ?? 'get'} ${target.resource}${where} (403 Forbidden): ${message}. Grant Tarka's service account RBAC read access (get, list) to ${target.resource}`,
      };
    }
    if (err.code === 401) {
      return {
        status: 'error',
        query,
        error:
          'Kubernetes API rejected the credentials (401 Unauthorized): check the service account token or the KUBECONFIG user',
      };
    }
    if (err.code >= 500) {
      return {
        status: 'unavailable',
        query,
        error: `Kubernetes API at ${server} answered ${err.code}: ${message}`,
      };
    }
    return {
      status: 'error',
      query,
      error: `Kubernetes API answered ${err.code} for ${target.label}: ${message}`,
    };
  }
  if (isAbort(err, ctx) || (err instanceof Error && err.cause !== undefined)) {
    return { status: 'unavailable', query, error: unreachable('Kubernetes API', server, err, ctx) };
  }
  // Thrown before any request left, e.g. by the client's TLS or auth set-up.
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'unavailable', query, error: `Kubernetes API at ${server} could not be used: ${message}` };
}

/** `app=api,tier in (web,api)` from a label selector object. */
export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Field selector values escape \, comma and = with a backslash. */
export function fieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

export const ownedBy = (meta: V1ObjectMeta | undefined, uid: string | undefined) =>
  uid !== undefined && (meta?.ownerReferences ?? []).some((r) => r.uid === uid);

export type Clients = {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  server: string;
  /** Most items one list may hold (KUBE_LIST_LIMIT): a namespace with 50,000 events is no reason to hold them all. */
  listLimit: number;
};

export const DEFAULT_LIST_LIMIT = 500;
/** Items per list request: the API server pages with `limit` and `continue`. */
export const PAGE_SIZE = 250;

export interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string; remainingItemCount?: number };
}

/** Items of one list, at most `max`; `cut` when the server had more, `more` how many when it says. */
export interface Listed<T> {
  items: T[];
  cut: boolean;
  more?: number;
}

/** Pages through a list with `limit` and `continue`, never holding more than `max` items. */
export async function listBounded<T>(
  page: (p: { limit: number; _continue?: string }) => Promise<ListPage<T>>,
  max: number,
): Promise<Listed<T>> {
  const items: T[] = [];
  let token: string | undefined;
  for (;;) {
    const res = await page({
      limit: Math.max(1, Math.min(PAGE_SIZE, max - items.length)),
      ...(token ? { _continue: token } : {}),
    });
    items.push(...res.items.slice(0, max - items.length));
    token = res.metadata?._continue || undefined;
    if (!token) return { items, cut: false };
    if (items.length >= max) {
      const more = res.metadata?.remainingItemCount;
      return more === undefined ? { items, cut: true } : { items, cut: true, more };
    }
  }
}

/** Says that a list was cut, and by which setting. */
export function cutNote(resource: string, listed: Listed<unknown>): string {
  const more = listed.more === undefined ? 'more exist' : `${listed.more} more`;
  return `listed only the first ${listed.items.length} ${resource} (${more}, not read: KUBE_LIST_LIMIT)`;
}
