// The hashing worker (plain CommonJS so that it runs unchanged from the sources and the build).
// Protocol: the parent posts { id, path, start, end } (end = -1 for the whole file); the worker streams the
// byte range through SHA-256 with one reused buffer and posts { id, digest, bytes } or { id, error }.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, fstatSync } = require('node:fs');
const buffer = Buffer.allocUnsafe(workerData.chunkBytes);
parentPort.on('message', (task) => {
  let fd = -1;
  try {
    fd = openSync(task.path, 'r');
    const size = fstatSync(fd).size;
    const end = task.end < 0 ? size : Math.min(task.end, size);
    if (task.end >= 0 && task.end > size) throw new Error('file shorter than expected');
    const hash = createHash('sha256');
    let position = task.start;
    while (position < end) {
      const want = Math.min(buffer.length, end - position);
      const got = readSync(fd, buffer, 0, want, position);
      if (got === 0) break;
      hash.update(got === buffer.length ? buffer : buffer.subarray(0, got));
      position += got;
    }
    parentPort.postMessage({ id: task.id, digest: hash.digest('hex'), bytes: position - task.start });
  } catch (error) {
    parentPort.postMessage({ id: task.id, error: String(error && error.code ? error.code : error && error.message) });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
});
