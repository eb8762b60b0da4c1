/**
 * The URL of one of this module's worker files. Built, it is `<name>.js` next to this file. Under tsx
 * (tests, benchmarks) the file is .ts and Node 20 workers do not apply the parent's loader hooks to their
 * entry, so a fixed bootstrap module registers tsx first and then imports the worker file.
 */
export function workerEntry(name: string): URL {
  const own = import.meta.url;
  if (!own.endsWith('.ts')) return new URL(`./${name}.js`, own);
  const tsx = import.meta.resolve('tsx/esm/api');
  const target = new URL(`./${name}.ts`, own).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
