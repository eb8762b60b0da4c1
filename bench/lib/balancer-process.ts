/**
 * The test balancer (test/helpers/balancer.ts) as a process of its own, as a real balancer is: in the
 * benchmark's process it would share one event loop with the load generator.
 *
 *   node --import tsx bench/lib/balancer-process.ts http://127.0.0.1:8080 http://127.0.0.1:8081
 */
import { startBalancer } from '../../test/helpers/balancer.js';

const balancer = await startBalancer(process.argv.slice(2));
console.log(`balancer listening at ${balancer.url}`);
process.on('SIGTERM', () => void balancer.close().then(() => process.exit(0)));
