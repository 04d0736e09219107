import { invalidate } from '$app/navigation';
import { SvelteSet } from 'svelte/reactivity';
import { getFacets, listCases } from '../api';
import { clock } from '../clock.svelte';
import { apiQuery, byActivity, matches, PAGE_SIZE, readFilters, type InboxFilters } from '../filters';
import { shownStatus } from '../format';
import { freshest } from '../fresh';
import { live } from '../live.svelte';
import type { CaseList, CaseView, Facets } from '../../../../src/contract/views.js';

/** The dependency the inbox's `load` declares; invalidating it refetches the page on screen. */
export const INBOX = 'tarka:inbox';

export interface InboxData {
  filters: InboxFilters;
  /** The first answer for these filters; not awaited by `load`, so the page paints at once. */
  list: Promise<CaseList>;
}

/** What the inbox's `load` returns for a URL: its filters and the request for their page. */
export function loadInbox(url: URL, depends: (dep: `${string}:${string}`) => void): InboxData {
  depends(INBOX);
  const filters = readFilters(url.searchParams);
  const list = listCases(apiQuery(filters));
  list.catch(() => {}); // the store reports the failure; not an unhandled rejection meanwhile
  return { filters, list };
}

/**
 * The inbox's rows for the filters on screen: the page `load` fetched, with live frames merged
 * in. Answers are applied in the order requests were made, and only for the filters still on
 * screen; a pushed case takes its place at once when the browser can tell it belongs on this
 * page, and a refetch (coalesced) then settles order, membership and the total.
 */
export class InboxStore {
  rows = $state.raw<CaseView[]>([]);
  total = $state(0);
  /** caseId -> incident, for the cases on this page. */
  incidentOf = $state.raw<Record<string, string>>({});
  loaded = $state(false);
  error = $state<string | null>(null);
  facets = $state<Facets>({ team: [], severity: [], namespace: [], cluster: [] });
  /** Cases changed by a frame in the last moments (the row flashes). */
  readonly recent = new SvelteSet<string>();

  private filters: InboxFilters = readFilters(new URLSearchParams());
  private requested = 0;
  private applied = 0;
  private inFlight = false;
  private again = false;

  /** Wires the store to the live connection; call once while a component initialises. */
  attach() {
    // A fresh connection or a reset: what happened before is not covered by frames, refetch.
    let epoch = live.epoch;
    $effect(() => {
      if (live.epoch === epoch) return;
      epoch = live.epoch;
      void invalidate(INBOX);
    });
    // Filter choices are not needed for the first paint; ask once the inbox is on screen.
    $effect(() => {
      if (this.loaded) getFacets().then((f) => (this.facets = f));
    });
    $effect(() =>
      live.subscribe((f) => {
        if (f.type !== 'case') return;
        const row = freshest(f.case);
        this.place(row);
        this.recent.add(row.caseId);
        setTimeout(() => this.recent.delete(row.caseId), 2500);
        this.refetchSoon();
      }),
    );
  }

  /** Shows the answer `load` started for these filters. */
  show(data: InboxData) {
    this.filters = data.filters;
    void this.apply(data.filters, data.list);
  }

  private async apply(f: InboxFilters, list: Promise<CaseList>) {
    const mine = ++this.requested;
    const key = apiQuery(f).toString();
    try {
      const res = await list;
      if (mine < this.applied || key !== apiQuery(this.filters).toString()) return;
      this.applied = mine;
      this.rows = res.cases.map(freshest);
      this.incidentOf = res.incidents ?? {};
      this.total = res.total;
      this.error = null;
    } catch (e) {
      if (mine >= this.applied) this.error = (e as Error).message;
    } finally {
      this.loaded = true;
    }
  }

  private refetchSoon() {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    setTimeout(async () => {
      await this.apply(this.filters, listCases(apiQuery(this.filters)));
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        setTimeout(() => this.refetchSoon(), 200);
      }
    }, 30);
  }

  private place(row: CaseView) {
    const filters = this.filters;
    const shown = this.rows.some((r) => r.caseId === row.caseId);
    const fits = filters.page === 1 ? matches(row, filters, shownStatus(row, clock.now)) : null;
    if (fits === true) {
      this.rows = [...this.rows.filter((r) => r.caseId !== row.caseId), row]
        .sort(byActivity)
        .slice(0, PAGE_SIZE);
      if (!shown) this.total += 1;
    } else if (fits === false && shown) {
      this.rows = this.rows.filter((r) => r.caseId !== row.caseId);
      this.total = Math.max(0, this.total - 1);
    } else if (shown) {
      this.rows = this.rows.map((r) => (r.caseId === row.caseId ? row : r));
    }
  }
}
