// A write-ahead record of what a lab created, kept under /run/podnet/<lab>. Each entry is written
// before the thing it names is created, so `podnet down` can finish the job after a crash half-way.
import { appendFileSync, readFileSync } from 'node:fs';

export type JournalEntry =
  | { type: 'netns'; name: string }
  | { type: 'process'; pid: number; start: string; what: string }
  | { type: 'mount'; path: string }
  | { type: 'dir'; path: string };

export function journalFile(dir: string): string {
  return `${dir}/journal.jsonl`;
}

export function record(dir: string, entry: JournalEntry): void {
  appendFileSync(journalFile(dir), JSON.stringify(entry) + '\n');
}

export function readJournal(dir: string): JournalEntry[] {
  let text = '';
  try {
    text = readFileSync(journalFile(dir), 'utf8');
  } catch {
    return [];
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn last line after a crash: everything before it still counts.
    }
  }
  return out;
}
