// A case page links back to the inbox as it was left (same filters and page), per browser tab.
const KEY = 'tarka.inbox';

export function rememberInbox(search: string) {
  try {
    sessionStorage.setItem(KEY, search);
  } catch {
    /* storage disabled */
  }
}

export function inboxHref(): string {
  try {
    const s = sessionStorage.getItem(KEY) ?? '';
    return s.startsWith('?') ? `/${s}` : '/';
  } catch {
    return '/';
  }
}
