import type { RgbaImage } from './png.ts';

/** Countersign's accent colour (also the manifest's accentColor). */
export const ACCENT_COLOUR = '#2E5C8A';

type Shape = (x: number, y: number) => boolean;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

/** A thick line segment with round caps. */
function stroke(ax: number, ay: number, bx: number, by: number, width: number): Shape {
  return (x, y) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    const px = ax + t * dx - x;
    const py = ay + t * dy - y;
    return px * px + py * py <= (width / 2) ** 2;
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function not(shape: Shape): Shape {
  return (x, y) => !shape(x, y);
}

function all(...shapes: Shape[]): Shape {
  return (x, y) => shapes.every((s) => s(x, y));
}

function any(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((s) => s(x, y));
}

function hex(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Paints layers in order onto a canvas in unit coordinates (0..1), 4×4 supersampled so edges
 * are smooth at 32 px.
 */
function paint(size: number, layers: { shape: Shape; colour: string }[]): RgbaImage {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          for (let i = layers.length - 1; i >= 0; i--) {
            const layer = layers[i];
            if (layer?.shape(x, y)) {
              const [lr, lg, lb] = hex(layer.colour);
              r += lr;
              g += lg;
              b += lb;
              a += 1;
              break;
            }
          }
        }
      }
      const n = samples * samples;
      const o = (py * size + px) * 4;
      // Colour is averaged over covered samples only, so edges fade in alpha, not towards black.
      pixels[o] = a ? Math.round(r / a) : 0;
      pixels[o + 1] = a ? Math.round(g / a) : 0;
      pixels[o + 2] = a ? Math.round(b / a) : 0;
      pixels[o + 3] = Math.round((a / n) * 255);
    }
  }
  return { width: size, height: size, pixels };
}

const page = roundedRect(0.27, 0.18, 0.67, 0.8, 0.04);
const tick = any(stroke(0.56, 0.68, 0.64, 0.76, 0.055), stroke(0.64, 0.76, 0.79, 0.58, 0.055));
const seal = circle(0.67, 0.7, 0.17);
const lines = any(
  stroke(0.34, 0.3, 0.6, 0.3, 0.035),
  stroke(0.34, 0.39, 0.6, 0.39, 0.035),
  stroke(0.34, 0.48, 0.52, 0.48, 0.035),
);

/** The 192×192 colour icon: a signed page with a seal, on the accent colour. */
export function drawColourIcon(): RgbaImage {
  return paint(192, [
    { shape: () => true, colour: ACCENT_COLOUR },
    { shape: page, colour: '#FFFFFF' },
    { shape: lines, colour: '#9DB3C9' },
    { shape: circle(0.67, 0.7, 0.19), colour: ACCENT_COLOUR },
    { shape: seal, colour: '#3FA36B' },
    { shape: tick, colour: '#FFFFFF' },
  ]);
}

/** The 32×32 outline icon: white on transparent, as Teams requires. */
export function drawOutlineIcon(): RgbaImage {
  const outline = all(page, not(roundedRect(0.33, 0.24, 0.61, 0.74, 0.02)));
  const ring = all(seal, not(circle(0.67, 0.7, 0.12)));
  return paint(32, [
    {
      shape: any(
        all(outline, not(circle(0.67, 0.7, 0.2))),
        ring,
        any(stroke(0.6, 0.7, 0.65, 0.75, 0.06), stroke(0.65, 0.75, 0.74, 0.64, 0.06)),
      ),
      colour: '#FFFFFF',
    },
  ]);
}
