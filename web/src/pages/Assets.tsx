/** Assets: integrity status, pending changes (two-person rule), and the lineage graph. */
import { useMemo, useState, type ReactNode } from 'react';
import { Background, Controls, MarkerType, Position, ReactFlow, type Edge, type Node } from '@xyflow/react';
import { api } from '../api';
import type { Session } from '../types';
import { Card, Empty, ErrorBox, Time, useLoad } from '../ui';

interface Asset {
  id: string;
  kind: 'model' | 'dataset';
  name: string;
  owner: string;
  sensitivity: string;
  verified: boolean;
  signer: string;
  lastVerified: number;
  status: string;
  statusDetail: string | null;
  suspect: boolean;
  suspectReason: string | null;
}

interface Change {
  id: string;
  assetId: string;
  reason: string;
  status: string;
  requestedBy: string;
  createdAt: string;
}

interface LineageEdge {
  upstreamId: string;
  downstreamId: string;
  runId: string | null;
}

/** Layered layout: each asset's column is its longest path from a source. */
function layout(assets: Asset[], edges: LineageEdge[]): { nodes: Node[]; edges: Edge[] } {
  const depth = new Map(assets.map((a) => [a.id, 0]));
  for (let i = 0; i < assets.length; i++) for (const e of edges) depth.set(e.downstreamId, Math.max(depth.get(e.downstreamId) ?? 0, (depth.get(e.upstreamId) ?? 0) + 1));
  const rows = new Map<number, number>();
  const nodes: Node[] = assets.map((a) => {
    const col = Math.min(depth.get(a.id) ?? 0, assets.length);
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    return {
      id: a.id,
      position: { x: col * 300, y: row * 100 },
      sourcePosition: Position.Right,
      targetPosition: Position.Left,
      data: { label: `${a.kind === 'model' ? '◆' : '▤'} ${a.name || a.id}` },
      className: `flow-node ${a.suspect ? 'suspect' : a.verified ? 'verified' : 'unverified'}`,
    };
  });
  return {
    nodes,
    edges: edges.map((e, i) => ({ id: `e${i}`, source: e.upstreamId, target: e.downstreamId, markerEnd: { type: MarkerType.ArrowClosed }, ...(e.runId ? { label: e.runId } : {}) })),
  };
}

export function Assets({ session }: { session: Session }): ReactNode {
  const assets = useLoad(() => api<{ assets: Asset[] }>('/admin/integrity/assets').then((r) => r.assets), []);
  const changes = useLoad(() => api<{ changes: Change[] }>('/admin/integrity/changes?status=pending').then((r) => r.changes), []);
  const lineage = useLoad(async () => {
    const list = assets.data ?? [];
    const seen = new Map<string, LineageEdge>();
    for (const a of list.slice(0, 200)) {
      const l = await api<{ upstream: LineageEdge[]; downstream: LineageEdge[] }>(`/admin/integrity/lineage/${encodeURIComponent(a.id)}`);
      for (const e of [...l.upstream, ...l.downstream]) seen.set(`${e.upstreamId}→${e.downstreamId}`, e);
    }
    return [...seen.values()];
  }, [assets.data]);
  const [error, setError] = useState<Error>();

  async function decide(change: Change, verdict: 'approve' | 'reject'): Promise<void> {
    setError(undefined);
    try {
      await api(`/admin/integrity/changes/${encodeURIComponent(change.id)}/${verdict}`, { method: 'POST', body: {} });
      changes.reload();
      assets.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  // The same node objects across renders: React Flow hides a node it is given as a new object until it has
  // measured it again, so a layout rebuilt on every render could keep the graph hidden on a busy page.
  const graph = useMemo(() => (assets.data && lineage.data ? layout(assets.data, lineage.data) : undefined), [assets.data, lineage.data]);
  return (
    <div className="grid">
      <ErrorBox error={error ?? assets.error ?? changes.error} />
      <Card title="Assets" className="span-all">
        {assets.data && assets.data.length === 0 ? (
          <Empty>No registered models or datasets.</Empty>
        ) : (
          <table aria-label="Assets">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Kind</th>
                <th scope="col">Integrity</th>
                <th scope="col">Signer</th>
                <th scope="col">Last verified</th>
                <th scope="col">Owner</th>
                <th scope="col">Sensitivity</th>
              </tr>
            </thead>
            <tbody>
              {assets.data?.map((a) => (
                <tr key={a.id}>
                  <td>
                    <strong>{a.name || a.id}</strong> <span className="mono muted">{a.id}</span>
                  </td>
                  <td>{a.kind}</td>
                  <td>
                    {a.suspect ? <span className="badge outcome-deny" title={a.suspectReason ?? ''}>suspect</span> : a.verified ? <span className="badge outcome-allow">verified</span> : <span className="badge outcome-step_up">{a.status}</span>}
                    {a.statusDetail && <div className="muted small">{a.statusDetail}</div>}
                  </td>
                  <td className="mono">{a.signer || '–'}</td>
                  <td>{a.lastVerified ? <Time iso={new Date(a.lastVerified * 1000).toISOString()} /> : 'never'}</td>
                  <td className="mono">{a.owner}</td>
                  <td>{a.sensitivity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Pending changes (two-person rule)" className="span-all">
        {changes.data && changes.data.length === 0 ? (
          <Empty>No change waits for approval.</Empty>
        ) : (
          <table aria-label="Pending changes">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Reason</th>
                <th scope="col">Requested</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {changes.data?.map((c) => (
                <tr key={c.id}>
                  <td className="mono">{c.assetId}</td>
                  <td>{c.reason}</td>
                  <td>
                    <span className="mono">{c.requestedBy}</span> <Time iso={c.createdAt} />
                  </td>
                  <td className="nowrap">
                    {session.role !== 'auditor' && (
                      <>
                        <button type="button" onClick={() => void decide(c, 'approve')}>
                          Approve
                        </button>{' '}
                        <button type="button" className="danger" onClick={() => void decide(c, 'reject')}>
                          Reject
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">The requester cannot approve their own change; approval needs an approver role.</p>
      </Card>
      <Card title="Lineage" className="span-all">
        {graph && graph.nodes.length > 0 ? (
          <div className="flow" aria-label="Lineage graph">
            <ReactFlow nodes={graph.nodes} edges={graph.edges} fitView fitViewOptions={{ maxZoom: 1.1, padding: 0.3 }} nodesDraggable={false} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </div>
        ) : (
          <Empty>No lineage recorded.</Empty>
        )}
      </Card>
    </div>
  );
}
