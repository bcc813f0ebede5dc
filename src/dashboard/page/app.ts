/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard page's entry: asks the server what it shows (a study storage or a folder of finder reports), then
// polls it every `pollMs` and says in the status line when it last heard, or why it cannot.
import { getJson } from './api.js';
import { RunsView } from './runs-view.js';
import { StudiesView } from './study-view.js';

interface Source {
  kind: 'studies' | 'runs';
  name: string;
  pollMs: number;
}

/** What a test (or a curious person in the console) can read of the page's progress. */
const state = { ready: false, polls: 0, lastError: null as string | null, firstTableMs: null as number | null };
(globalThis as { dashboard?: typeof state }).dashboard = state;

const status = document.getElementById('status')!, updated = document.getElementById('updated')!;
// the status line (read out by screen readers) changes only when the state does; the time of the last answer is
// beside it, not read out every second
let following = 'the storage';
function say(error: string | null): void {
  const text = error === null ? `Live: following ${following}.` : `${error}. Trying again...`;
  if (status.textContent !== text) status.textContent = text;
  status.classList.toggle('error', error !== null);
  if (error === null) updated.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
}

async function start(): Promise<void> {
  const answer = await getJson<Source>('api/source');
  if (!answer.ok) {
    say(answer.error);
    setTimeout(start, 2000);
    return;
  }
  const source = answer.data;
  following = source.kind === 'studies' ? 'the storage' : 'the folder';
  document.getElementById('source')!.textContent = source.kind === 'studies' ? `Studies in ${source.name} (read-only)` : `Finder reports in ${source.name} (read-only)`;
  document.getElementById('list-title')!.textContent = source.kind === 'studies' ? 'Studies' : 'Finder runs';
  const list = document.getElementById('list')!, empty = document.getElementById('list-empty')!, view = document.getElementById('view')!;
  const shown = source.kind === 'studies' ? new StudiesView(list, empty, view, source.name) : new RunsView(list, empty, view, source.name);
  const poll = async () => {
    let error: string | null;
    try {
      error = await shown.refresh();
    } catch (e) {
      error = `the page failed: ${(e as Error).message}`;
      console.error(e);
    }
    say(error);
    state.lastError = error;
    state.polls++;
    state.ready = true;
    if (shown instanceof StudiesView) state.firstTableMs ??= shown.firstTableMs;
    setTimeout(poll, source.pollMs);
  };
  await poll();
}

void start();
