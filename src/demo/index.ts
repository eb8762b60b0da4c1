/** The demo upstreams started by `warden start --demo`: an OpenAI-style model and an MCP tool server. */
export { DEMO_MCP_SERVER, startDemoMcpServer } from './mcp-tools.js';
export type { DemoMcpServer } from './mcp-tools.js';
export { startDemoUpstream } from './upstream.js';
export type { DemoUpstream } from './upstream.js';
