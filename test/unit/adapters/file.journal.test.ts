import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileInflightJournal, JOURNAL_DIR } from '../../../src/adapters/journal/file.journal.js';
import { claimTempDir, OWNER_FILE, sweepTempDir, writableDirProblem } from '../../../src/adapters/temp/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docsift-journal-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('FileInflightJournal: what a dead process leaves for the next', () => {
  it('a message finished normally leaves nothing', async () => {
    const journal = await FileInflightJournal.open(dir);
    await journal.begin('m1', false);
    await journal.end('m1');
    const next = await FileInflightJournal.open(dir);
    expect(next.suspect('m1')).toBeUndefined();
    expect(await readdir(join(dir, JOURNAL_DIR))).toEqual([]);
  });

  it('messages running when the process died become suspects; one that ran alone is the culprit', async () => {
    const first = await FileInflightJournal.open(dir);
    await first.begin('poison', false);
    await first.begin('neighbour', false);
    // The process dies here: no end().
    const second = await FileInflightJournal.open(dir);
    expect(second.suspect('poison')).toEqual({ crashes: 1, diedAlone: false });
    expect(second.suspect('neighbour')).toEqual({ crashes: 1, diedAlone: false });
    await second.begin('neighbour', true);
    await second.end('neighbour');
    await second.begin('poison', true);
    // Dies again, with the suspect alone.
    const third = await FileInflightJournal.open(dir);
    expect(third.suspect('poison')).toEqual({ crashes: 2, diedAlone: true });
    expect(third.suspect('neighbour')).toBeUndefined();
    // A further restart before it is received again changes nothing.
    expect((await FileInflightJournal.open(dir)).suspect('poison')).toEqual({ crashes: 2, diedAlone: true });
  });

  it('half-written, foreign and day-old entries are dropped', async () => {
    const journalDir = join(dir, JOURNAL_DIR);
    const journal = await FileInflightJournal.open(dir);
    await journal.begin('old', false);
    const [file] = await readdir(journalDir);
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    await utimes(join(journalDir, file!), dayAgo, dayAgo);
    await writeFile(join(journalDir, 'cut.json.tmp'), '{"id":"x","cr');
    await writeFile(join(journalDir, 'junk.json'), 'not json');
    const next = await FileInflightJournal.open(dir);
    expect(next.suspectCount).toBe(0);
    expect(await readdir(journalDir)).toEqual([]);
  });
});

describe('TEMP_DIR at start-up', () => {
  it('sweeps what a dead process left, keeping the journal and the owner file', async () => {
    await writeFile(join(dir, 'obj-1234'), 'a download in progress when the process died');
    await writeFile(join(dir, 'ocr-abc'), '');
    await (await FileInflightJournal.open(dir)).begin('m', false);
    expect(await claimTempDir(dir)).toBeNull();
    expect(await sweepTempDir(dir, [OWNER_FILE, JOURNAL_DIR])).toBe(2);
    expect((await readdir(dir)).sort()).toEqual([JOURNAL_DIR, OWNER_FILE].sort());
    expect((await FileInflightJournal.open(dir)).suspect('m')).toEqual({ crashes: 1, diedAlone: false });
  });

  it('refuses a TEMP_DIR owned by another live process, and takes over a dead owner\'s', async () => {
    // pid 1 is alive; its start time is not what this file says, so it reads as a dead owner's reused pid.
    await writeFile(join(dir, OWNER_FILE), JSON.stringify({ pid: 1, start: '0' }));
    expect(await claimTempDir(dir)).toBeNull();
    const { readFileSync } = await import('node:fs');
    const start = readFileSync('/proc/1/stat', 'utf8').split(') ')[1]!.split(' ')[19];
    await writeFile(join(dir, OWNER_FILE), JSON.stringify({ pid: 1, start }));
    expect(await claimTempDir(dir)).toMatch(/in use by another docsift process \(pid 1\)/);
  });

  it('names a TEMP_DIR that is a file, or lies under one', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, '');
    expect(await writableDirProblem('TEMP_DIR', file)).toBe(`TEMP_DIR=${file} exists and is not a directory`);
    expect(await writableDirProblem('HEARTBEAT_DIR', join(file, 'sub'))).toMatch(/HEARTBEAT_DIR=.*sub is not a writable directory \(ENOTDIR\)/);
    expect(await writableDirProblem('TEMP_DIR', join(dir, 'new', 'deep'))).toBeNull();
  });
});
