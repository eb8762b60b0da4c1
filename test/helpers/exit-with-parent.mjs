// Preloaded into every Warden process a test starts. When the test runner kills a test file (a file-level
// timeout), that file's Warden children would otherwise live on, holding CPU and ports for the rest of the
// suite; a child whose parent is gone (re-parented) exits. Plain JavaScript, because worker threads inherit
// this preload without every loader the main thread has.
/* global setInterval */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500).unref();
