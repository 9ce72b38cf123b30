// The metric over successive submissions, drawn as SVG (no library).

import { el, formatTime, svg } from './dom.js';

/**
 * The values oldest on the left, and the best so far as a dashed line that steps: flat until a submission beats
 * it, then straight up (or down) to the new best. Best is the higher value for desc and the lower for asc. Each
 * point names its job in a tooltip.
 */
export function historyChart(points, order) {
  if (points.length === 0) {
    return el('p', { class: 'muted', id: 'history-empty' }, 'No submissions to chart yet.');
  }
  const W = 1000;
  const H = 260;
  const left = 60;
  const right = 20;
  const top = 15;
  const bottom = 35;
  const values = points.map((p) => p.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const x = (i) => left + (points.length === 1 ? (W - left - right) / 2 : i * (W - left - right) / (points.length - 1));
  const y = (v) => top + (hi - v) * (H - top - bottom) / (hi - lo);
  const at = (i, v) => x(i).toFixed(1) + ',' + y(v).toFixed(1);
  const better = order === 'asc' ? Math.min : Math.max;
  let best = values[0];
  const steps = ['M' + at(0, best)];
  values.forEach((v, i) => {
    if (i === 0) {
      return;
    }
    steps.push('L' + at(i, best));
    const next = better(best, v);
    if (next !== best) {
      best = next;
      steps.push('L' + at(i, best));
    }
  });
  if (points.length === 1) {
    steps.push('L' + (x(0) + 1).toFixed(1) + ',' + y(best).toFixed(1));
  }
  const ticks = [hi, (hi + lo) / 2, lo];
  const labelEvery = Math.max(1, Math.ceil(points.length / 10));
  return svg('svg', { class: 'chart', id: 'history-chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
    'aria-label': 'value over successive submissions' },
  ticks.map((t) => [svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(t), y2: y(t) }),
    svg('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, Number(t.toPrecision(4)))]),
  svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - bottom }),
  svg('line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }),
  svg('path', { class: 'best', id: 'history-best', d: steps.join(' ') }),
  svg('path', { class: 'series', d: values.map((v, i) => (i === 0 ? 'M' : 'L') + at(i, v)).join(' ') }),
  points.map((p, i) => svg('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 4, class: 'point',
    'data-job-id': p.id, 'data-value': p.value },
  svg('title', {}, (p.name || p.id.substring(0, 8)) + ': ' + p.value + ' (' + formatTime(p.createdAt) + ')'))),
  points.map((p, i) => (i % labelEvery === 0 || i === points.length - 1
    ? svg('text', { x: x(i), y: H - bottom + 18, 'text-anchor': 'middle' }, '#' + (i + 1)) : null)),
  svg('text', { x: W - right, y: H - 4, 'text-anchor': 'end' }, 'submission (oldest first) · dashed: best so far'));
}
