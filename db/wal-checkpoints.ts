// SQLite appends every commit to the WAL file, and by default the connection that commits also copies
// the WAL back into the database once it passes 1000 pages, syncing both files to disk: on a busy disk
// that stops the event loop for tens to hundreds of milliseconds, in the middle of whichever request
// committed (a slash command's acknowledgement waits behind it). Here the bot's connection never
// checkpoints: a worker thread with a connection of its own does it, PASSIVE (it neither waits for nor
// blocks the bot's reads and writes), about once a second while the bot writes. The worker starts once
// the WAL has grown and ends a while after writes stop, so an idle bot holds no second thread (~18 MB).
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the WAL file is looked at (an async stat: nothing runs on the event loop meanwhile). */
const CHECK_EVERY_MS = 1_000;
/** A worker with no writes to checkpoint for this long ends. */
const IDLE_MS = 60_000;
/** Below this the WAL just grows (a checkpoint is not worth a thread yet); SQLite's own default is ~4 MB. */
const START_BYTES = 1024 * 1024;

// Plain JavaScript, run as the worker's own script; better-sqlite3 is found where the bot found it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { timeout: 5000, fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ done: true });
    } catch (err) {
      parentPort.postMessage({ done: true, error: String((err && err.message) || err) });
    }
  } else if (m === 'close') {
    try { db.close(); } catch {}
    parentPort.close();
  }
});
`;

export interface BackgroundCheckpoints {
  /** Stops checkpointing (the worker closes its connection; the last connection to close checkpoints). */
  stop(): void;
}

/** Takes checkpoints of the WAL of `sqlite` (opened on `path`, in WAL mode) off the event loop. */
export function checkpointInBackground(sqlite: SQLite.Database, path: string): BackgroundCheckpoints {
  const file = resolve(path);
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  sqlite.pragma('wal_autocheckpoint = 0');
  let worker: Worker | null = null;
  let busy = false;
  let stopped = false;
  let written = 0; // the WAL's last modification time seen
  let lastWrite = 0;

  /** The worker failed: the bot's connection checkpoints itself again, as SQLite does by default. */
  const fallBack = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    console.error(`SQLite checkpoints: ${reason}; the bot's own connection takes them again.`);
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path: file } });
    w.unref();
    w.on('message', (m: { error?: string }) => {
      busy = false;
      if (m.error && !stopped) console.error(`SQLite checkpoint failed (tried again in a second): ${m.error}`);
    });
    w.on('error', (err) => {
      if (worker === w) worker = null;
      fallBack(`the checkpoint thread failed (${err.message})`);
    });
    w.on('exit', () => {
      if (worker === w) worker = null;
      busy = false;
    });
    return w;
  };

  const check = async () => {
    if (stopped || busy) return;
    const wal = await stat(`${file}-wal`).catch(() => null);
    if (stopped || busy) return;
    const now = Date.now();
    if ((wal?.mtimeMs ?? 0) === written) {
      if (worker && now - lastWrite > IDLE_MS) {
        worker.postMessage('close');
        worker = null;
      }
      return;
    }
    written = wal?.mtimeMs ?? 0;
    lastWrite = now;
    if (!worker && (wal?.size ?? 0) < START_BYTES) return;
    busy = true;
    worker ??= start();
    worker.postMessage('checkpoint');
  };

  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      worker?.postMessage('close');
      worker = null;
    },
  };
}
