/**
 * A pool of hashing worker threads: each task is a file or a byte range of one, streamed through SHA-256
 * with a reused buffer, so no file is ever held whole in memory and several files (or shards) hash at once.
 *
 * @example
 * const pool = new HashPool({ workers: 2 });
 * const hex = await pool.hash({ path: '/models/m/weights.bin', start: 0, end: -1 });
 * await pool.close();
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { WardenError, packageRoot } from '../../core/index.js';
import { join } from 'node:path';

const WORKER_FILE = join(packageRoot(), 'src', 'integrity', 'hash', 'hash-worker.cjs');

export interface HashTask {
  path: string;
  start: number;
  /** Exclusive end offset, or -1 for the end of the file. */
  end: number;
}

interface Pending {
  task: HashTask;
  resolve: (digest: string) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

export interface HashPoolOptions {
  /** Worker threads; 0 or undefined = one per CPU, at most 8. */
  workers?: number;
  chunkBytes?: number;
}

export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    const count = options.workers && options.workers > 0 ? options.workers : Math.min(8, availableParallelism());
    for (let i = 0; i < count; i++) this.slots.push(this.spawn(options.chunkBytes ?? 256 * 1024));
  }

  get size(): number {
    return this.slots.length;
  }

  /** SHA-256 (hex) of the task's byte range. */
  hash(task: HashTask): Promise<string> {
    if (this.closed) return Promise.reject(new WardenError('internal', 'hash pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new WardenError('internal', 'hash pool closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(chunkBytes: number): Slot {
    const worker = new Worker(WORKER_FILE, { workerData: { chunkBytes } });
    worker.unref();
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (message: { id: number; digest?: string; error?: string }) => {
      const pending = slot.busy;
      slot.busy = undefined;
      if (pending) {
        if (message.digest) pending.resolve(message.digest);
        else pending.reject(new WardenError('bad_request', `cannot read \`${pending.task.path}\`: ${message.error ?? 'unknown error'}`));
      }
      this.pump();
    });
    worker.on('error', (error) => {
      const pending = slot.busy;
      slot.busy = undefined;
      pending?.reject(new WardenError('internal', 'hash worker failed', { cause: error }));
      if (!this.closed) {
        const index = this.slots.indexOf(slot);
        if (index >= 0) this.slots[index] = this.spawn(chunkBytes);
        this.pump();
      }
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = next;
      slot.worker.ref();
      slot.worker.postMessage({ id: this.nextId++, ...next.task });
    }
    // Idle workers must not keep the process alive.
    for (const slot of this.slots) if (!slot.busy) slot.worker.unref();
  }
}
