/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for each MCP server Warden fronts, as the MCP
 * authorization specification asks of a resource server: which authorization servers issue tokens for
 * it (the configured JWT issuers; their tokens must name Warden's audience, `identity.jwt[].audience`),
 * how to present them, and the scope an API key needs. Served without authentication.
 */
import type { IncomingMessage } from 'node:http';

/** A Host header is used only when it is a plain host[:port]; anything else falls back to the socket's address. */
const HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

export function baseUrl(req: IncomingMessage, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/$/, '');
  const host = req.headers.host;
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (host && HOST.test(host)) return `${scheme}://${host}`;
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? 80}`;
}

export function resourceMetadataUrl(req: IncomingMessage, server: string, publicUrl?: string): string {
  return `${baseUrl(req, publicUrl)}/.well-known/oauth-protected-resource/mcp/${server}`;
}

export function resourceMetadata(req: IncomingMessage, server: string, issuers: readonly string[], publicUrl?: string): Record<string, unknown> {
  return {
    resource: `${baseUrl(req, publicUrl)}/mcp/${server}`,
    authorization_servers: [...issuers],
    bearer_methods_supported: ['header'],
    scopes_supported: [`mcp:${server}`],
    resource_name: `Warden MCP gateway: ${server}`,
  };
}

