/** Compliance: controls and live evidence mapped to NIST SP 800-207, OWASP LLM Top 10 2025, NIST AI RMF and EU AI Act Art. 12; print-ready. */
import type { ReactNode } from 'react';
import { api } from '../api';
import { Card, ErrorBox, Time, useLoad } from '../ui';

interface Control {
  id: string;
  title: string;
  inForce: boolean;
  evidence: string;
  nist80027: string[];
  owaspLlm2025: string[];
  aiRmf: string[];
  euAiActArt12: string[];
}

const list = (items: string[]): ReactNode => (items.length === 0 ? <span className="muted">–</span> : <ul className="plain">{items.map((i) => <li key={i}>{i}</li>)}</ul>);

export function Compliance(): ReactNode {
  const { data, error } = useLoad(() => api<{ generatedAt: string; controls: Control[]; summary: { inForce: number; total: number } }>('/compliance'), []);
  return (
    <div className="report">
      <ErrorBox error={error} />
      <div className="toolbar no-print">
        <button type="button" onClick={() => print()}>
          Print or save as PDF
        </button>
      </div>
      {data && (
        <Card title="Warden controls and evidence">
          <p>
            Generated <Time iso={data.generatedAt} />. {data.summary.inForce} of {data.summary.total} controls in force. Evidence is read from the running configuration, policy store, audit log and risk engine at the time of the report.
          </p>
          <table className="compliance" aria-label="Controls">
            <thead>
              <tr>
                <th scope="col">Control</th>
                <th scope="col">Live evidence</th>
                <th scope="col">NIST SP 800-207</th>
                <th scope="col">OWASP LLM Top 10 (2025)</th>
                <th scope="col">NIST AI RMF</th>
                <th scope="col">EU AI Act Art. 12</th>
              </tr>
            </thead>
            <tbody>
              {data.controls.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.title}</strong>
                    <div>{c.inForce ? <span className="badge outcome-allow">in force</span> : <span className="badge outcome-deny">not in force</span>}</div>
                  </td>
                  <td>{c.evidence}</td>
                  <td>{list(c.nist80027)}</td>
                  <td>{list(c.owaspLlm2025)}</td>
                  <td>{list(c.aiRmf)}</td>
                  <td>{list(c.euAiActArt12)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
