import { loadInbox } from '../lib/inbox/inbox.svelte';
import type { PageLoad } from './$types';

// The inbox's first page for the URL's filters; the store merges live frames into it, and a
// change of filters (or invalidating INBOX) runs this again.
export const load: PageLoad = ({ url, depends }) => loadInbox(url, depends);
