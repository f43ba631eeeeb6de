// Pull progress like `docker pull`: on a terminal one line per layer, redrawn in place with bytes
// and speed; otherwise one plain line per layer when it is done; nothing when quiet.
import type { Writable } from 'node:stream';
import { formatSize } from './format.js';

export interface LayerProgress {
  advance(bytes: number): void;
  /** The layer was already in the store. */
  skip(): void;
  done(): void;
}

export interface Progress {
  layer(digest: string, total: number): LayerProgress;
  /** Draws the final state and stops redrawing. */
  finish(): void;
}

const REDRAW_MS = 100;

interface LayerState {
  id: string;
  total: number;
  bytes: number;
  started: number;
  status: 'Waiting' | 'Downloading' | 'Already exists' | 'Pull complete';
}

function describe(layer: LayerState, now: number): string {
  if (layer.status !== 'Downloading') return `${layer.id}: ${layer.status}`;
  const seconds = Math.max((now - layer.started) / 1000, 0.001);
  const speed = `${formatSize(layer.bytes / seconds)}/s`;
  return `${layer.id}: Downloading  ${formatSize(layer.bytes)}/${formatSize(layer.total)}  ${speed}`;
}

export function createProgress(output: Writable & { isTTY?: boolean }, quiet = false): Progress {
  if (quiet) return { layer: () => ({ advance() {}, skip() {}, done() {} }), finish() {} };
  const layers: LayerState[] = [];
  const tty = Boolean(output.isTTY);
  let drawnLines = 0;
  const redraw = () => {
    const now = Date.now();
    const up = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
    output.write(up + layers.map((layer) => `\x1b[2K${describe(layer, now)}\n`).join(''));
    drawnLines = layers.length;
  };
  const timer = tty ? setInterval(redraw, REDRAW_MS) : undefined;
  timer?.unref();
  return {
    layer(digest, total) {
      const state: LayerState = { id: digest.replace(/^sha256:/, '').slice(0, 12), total, bytes: 0, started: Date.now(), status: 'Waiting' };
      layers.push(state);
      const settle = (status: LayerState['status']) => {
        if (state.status === 'Already exists' || state.status === 'Pull complete') return; // a layer's end is said once
        state.status = status;
        if (!tty) output.write(`${state.id}: ${status}${status === 'Pull complete' ? ` (${formatSize(state.total)})` : ''}\n`);
      };
      return {
        advance(bytes) {
          if (state.status === 'Waiting') {
            state.status = 'Downloading';
            state.started = Date.now();
          }
          state.bytes += bytes;
        },
        skip: () => settle('Already exists'),
        done: () => settle('Pull complete'),
      };
    },
    finish() {
      if (timer) {
        clearInterval(timer);
        redraw();
      }
    },
  };
}
