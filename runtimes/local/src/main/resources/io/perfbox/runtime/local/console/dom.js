// Building the page. Every piece of job data is put into it as text (text nodes, textContent), never as HTML:
// names, descriptions, logs, findings and Dockerfiles are the tenant's own text.

import { ApiError, Unreachable } from './api.js';

// Control characters a job wrote (ESC, OSC, C1, bidi overrides, a bare carriage return) shown as visible escapes
// (\u001b), as the CLI shows them: inert in a page, they would still hide or reorder what is read, or be copied
// into a terminal. Newlines, tabs and CR LF pass.
const CONTROLS = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function visible(text) {
  return String(text).replace(CONTROLS, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A text node of job data, its control characters made visible. */
export function textNode(value) {
  return document.createTextNode(visible(value));
}

const present = (c) => c !== null && c !== undefined && c !== false;

/** An element with attributes and children; strings become text nodes; on* attributes are listeners. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (!present(v)) {
      continue;
    }
    if (k === 'class') {
      node.className = v;
    } else if (k.startsWith('on')) {
      node.addEventListener(k.substring(2), v);
    } else {
      node.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const child of children.flat(Infinity)) {
    if (present(child)) {
      node.append(child instanceof Node ? child : textNode(child));
    }
  }
  return node;
}

/** An SVG element (the chart's), the same way. */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (present(child)) {
      node.append(child instanceof Node ? child : textNode(child));
    }
  }
  return node;
}

/** Replaces the node's children (the DOM's replaceChildren would write a null as the text "null"). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter(present).map((c) => (c instanceof Node ? c : textNode(c))));
}

/** Sets the node's text only when it changes, so that a refresh leaves an unchanged node (and its selection) alone. */
export function setText(node, value) {
  const text = visible(value === null || value === undefined ? '' : value);
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** A table in a box of its own that scrolls sideways when the table is wider than the page. */
export function tableBox(table) {
  return el('div', { class: 'table-box' }, table);
}

const two = (n) => String(n).padStart(2, '0');

export function formatTime(iso) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' '
    + two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
}

export function formatDuration(ms) {
  if (ms < 0 || !Number.isFinite(ms)) {
    return '';
  }
  if (ms < 10000) {
    return (ms / 1000).toFixed(1) + ' s';
  }
  const s = Math.round(ms / 1000);
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}

export const formatNumber = (v) => (v === null || v === undefined ? '' : String(v));

export function statusBadge(status, id) {
  return el('span', { class: 'status status-' + status.toLowerCase(), id }, status);
}

/** Gives the badge the status (its class and its text), in place. */
export function setStatus(badge, status) {
  badge.className = 'status status-' + status.toLowerCase();
  setText(badge, status);
}

export function problemText(error) {
  if (error instanceof ApiError && error.problem) {
    return (error.problem.title ? error.problem.title + ': ' : '') + (error.problem.detail || '');
  }
  if (error instanceof Unreachable) {
    return 'the server did not answer';
  }
  return error && error.message ? error.message : String(error);
}

/**
 * Makes nodes the parent's children in this order, moving only those out of place and removing the rest: a node
 * that stays keeps the keyboard focus it has.
 */
export function syncChildren(parent, nodes) {
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) {
      parent.insertBefore(node, parent.children[i] || null);
    }
  });
  while (parent.children.length > nodes.length) {
    parent.lastElementChild.remove();
  }
}
