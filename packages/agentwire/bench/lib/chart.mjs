// The fan-out chart, drawn from the measured figures: two panels of grouped bars
// (delivered events/s, server CPU per event) with min-max whiskers over the runs.
import { SYSTEM_LABELS } from './session.mjs';

const COLORS = { agentwire: '#2563eb', ws: '#9ca3af', socketio: '#f59e0b' };
const PANEL = { width: 420, height: 300, top: 50, bottom: 50, left: 60, right: 20 };

/** `fanout[system][n]` = `{ eventsPerSecond: {median,min,max}, cpuMicrosPerEvent: {...} }`. */
export function fanoutChartSvg(fanout, ns, systems) {
  const panels = [
    panel(fanout, ns, systems, 'eventsPerSecond', 'Delivered events/s (higher is better)', (v) => `${Math.round(v / 1000)}k`, 0),
    panel(fanout, ns, systems, 'cpuMicrosPerEvent', 'Server CPU µs per event (lower is better)', (v) => v.toFixed(1), PANEL.width + 20),
  ];
  const width = PANEL.width * 2 + 20;
  const legend = systems
    .map((system, i) => {
      const x = 70 + i * 150;
      return `<rect x="${x}" y="${PANEL.height + 8}" width="12" height="12" fill="${COLORS[system]}"/><text x="${x + 18}" y="${PANEL.height + 19}">${SYSTEM_LABELS[system]}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height + 30}" viewBox="0 0 ${width} ${PANEL.height + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...panels,
    legend,
    '</svg>',
    '',
  ].join('\n');
}

function panel(fanout, ns, systems, field, title, format, offsetX) {
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const values = ns.flatMap((n) => systems.map((s) => fanout[s]?.[n]?.[field]?.max ?? 0));
  const top = niceCeiling(Math.max(...values, 1e-9));
  const y = (v) => PANEL.top + plotH - (v / top) * plotH;
  const groupW = plotW / ns.length;
  const barW = Math.min(28, (groupW - 16) / systems.length);
  const parts = [`<g transform="translate(${offsetX},0)">`, `<text x="${PANEL.width / 2}" y="24" text-anchor="middle" font-weight="bold">${title}</text>`];
  for (let t = 0; t <= 4; t++) {
    const v = (top * t) / 4;
    parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${PANEL.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#374151">${format(v)}</text>`);
  }
  ns.forEach((n, g) => {
    const groupX = PANEL.left + g * groupW + (groupW - barW * systems.length) / 2;
    systems.forEach((system, i) => {
      const stat = fanout[system]?.[n]?.[field];
      if (!stat) return;
      const x = groupX + i * barW;
      const cx = x + barW / 2 - 1;
      parts.push(`<rect x="${x}" y="${y(stat.median)}" width="${barW - 2}" height="${PANEL.top + plotH - y(stat.median)}" fill="${COLORS[system]}"><title>${SYSTEM_LABELS[system]} N=${n}: ${format(stat.median)} (${format(stat.min)}-${format(stat.max)})</title></rect>`);
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(stat.min)}" y2="${y(stat.max)}" stroke="#111827"/>`);
    });
    parts.push(`<text x="${PANEL.left + g * groupW + groupW / 2}" y="${PANEL.top + plotH + 18}" text-anchor="middle">${n.toLocaleString('en-US')} users</text>`);
  });
  parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left}" y1="${PANEL.top}" y2="${PANEL.top + plotH}" stroke="#374151"/>`);
  parts.push('</g>');
  return parts.join('\n');
}

function niceCeiling(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
