/** Renders an evaluation as Markdown tables (used by `warden simulate` and `npm run eval:risk`). */
import type { Evaluation } from './run.js';

export function renderEvaluation(ev: Evaluation, title: string): string {
  const lines: string[] = [`### ${title}`, '', '| scenario | detected | delay (min) | first detector | max risk |', '|---|---|---|---|---|'];
  // The target's scenarios first (host-log ones included), the harder variants after them.
  const ordered = [...ev.scenarios.filter((s) => !s.scenario.startsWith('hard_')), ...ev.scenarios.filter((s) => s.scenario.startsWith('hard_'))];
  for (const s of ordered) {
    if (s.scenario.startsWith('hard_') && !lines.includes('| *harder variants (not in the target)* | | | | |')) lines.push('| *harder variants (not in the target)* | | | | |');
    lines.push(`| ${s.scenario} | ${s.detected ? 'yes' : '**no**'} | ${s.delayMinutes ?? '-'} | ${s.detector ?? '-'} | ${s.maxRisk} |`);
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const fps = Object.entries(ev.falsePositivesByDetector)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  lines.push(
    '',
    `- benign principals flagged per day (a detection of severity medium or above): **${pct(ev.falsePositiveRate)}** of active principals (mean over ${ev.days.length} days; by detector: ${fps || 'none'})`,
    `- benign principals with any detection per day, low severity included: ${pct(ev.anyDetectionRate)}`,
    `- ${ev.events} events, ${ev.entities} principals, ${ev.detections} detections, engine time ${ev.seconds.toFixed(2)} s`,
    '',
  );
  return lines.join('\n');
}
