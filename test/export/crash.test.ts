/** SIGKILL during export: after a restart every record still arrives, in order after de-duplication. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { dedupe, positionOf, startHecReceiver, startTcpReceiver, tempDir, waitFor } from './helpers.js';

const TOTAL = 3000;

function startChild(dataDir: string, hecUrl: string, tcpPort: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), dataDir, hecUrl, String(tcpPort), String(TOTAL)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('an exporter killed with SIGKILL mid-export resumes from its cursors: no record lost', async () => {
  const { dir, cleanup } = tempDir();
  const hec = await startHecReceiver('crash-token');
  const tcp = await startTcpReceiver('octet-counting');
  const hecPositions = (): number[] => hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index);
  let child: ChildProcess | undefined;
  try {
    for (const killAt of [400, 1500]) {
      child = startChild(dir, hec.url, tcp.port);
      await waitFor(() => dedupe(hecPositions()).unique.length >= killAt && dedupe(tcp.messages.map(positionOf)).unique.length >= killAt, `export past ${killAt}`);
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    child = startChild(dir, hec.url, tcp.port);
    await waitFor(() => dedupe(hecPositions()).unique.length === TOTAL && dedupe(tcp.messages.map(positionOf)).unique.length === TOTAL, 'all records after restarts', 120_000);
    child.kill('SIGKILL');
    await once(child, 'exit');
    for (const [name, positions] of [['hec', hecPositions()], ['tcp', tcp.messages.map(positionOf)]] as const) {
      const { unique, outOfOrder } = dedupe(positions);
      assert.equal(outOfOrder, 0, `${name}: in order`);
      assert.deepEqual(unique, Array.from({ length: TOTAL }, (_, i) => i), `${name}: no gap`);
    }
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await hec.close();
    await tcp.close();
    cleanup();
  }
});
