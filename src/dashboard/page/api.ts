/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's one way to the server: GET a JSON endpoint. A server that answers with an error status still sends
// JSON ({ error }); a server that does not answer at all is said as such.

/** What an endpoint gave: its JSON, or the error to show. */
export type Answer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: string };

export async function getJson<T>(path: string): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(path, { cache: 'no-store' });
  } catch {
    return { ok: false, status: 0, error: 'cannot reach the dashboard server (stopped?)' };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, status: res.status, error: `the server sent no JSON (${res.status})` };
  }
  if (!res.ok) return { ok: false, status: res.status, error: String((body as { error?: unknown }).error ?? res.statusText) };
  return { ok: true, status: res.status, data: body as T };
}
