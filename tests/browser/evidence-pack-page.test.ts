import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSchoolWithSignatures, type DemoPack } from '../cli/evidence-pack-fixture.ts';
import { launchChromium, type BrowserSession } from './browser-harness.ts';

const pdfjsDir = dirname(
  dirname(createRequire(import.meta.url).resolve('pdfjs-dist/build/pdf.mjs')),
);

let demo: DemoPack;
let register: Buffer;
let session: BrowserSession | { problem: string };

beforeAll(async () => {
  demo = await demoSchoolWithSignatures();
  const pack = join(demo.dir, 'pack');
  const built = await demo.cli(
    'evidence',
    '--policy',
    'staff-aup',
    '--keys',
    demo.keysFile,
    '--out',
    pack,
  );
  if (built.code !== 0) throw new Error(`evidence failed: ${built.err}${built.out}`);
  register = readFileSync(join(pack, 'register-v1.pdf'));
  session = await launchChromium();
}, 120_000);

afterAll(async () => {
  if (session !== undefined && !('problem' in session)) await session.close();
  await demo?.close();
});

const PAGE = `<!doctype html><html><body style="margin:0;background:#fff">
<canvas id="page"></canvas>
<script type="module">
  import * as pdfjs from '/pdfjs/build/pdf.mjs';
  pdfjs.GlobalWorkerOptions.workerSrc = '/pdfjs/build/pdf.worker.mjs';
  const doc = await pdfjs.getDocument({ url: '/register.pdf', standardFontDataUrl: '/pdfjs/standard_fonts/' }).promise;
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 1.5 });
  const canvas = document.getElementById('page');
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: context, canvas, viewport }).promise;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
  }
  window.rendered = { width: canvas.width, height: canvas.height, inkRatio: ink / (data.length / 4), pages: doc.numPages };
</script></body></html>`;

describe('the register PDF in real Chromium', () => {
  it('renders its first page with pdf.js into a page that is not blank', async (context) => {
    if ('problem' in session) {
      context.skip(session.problem);
      return;
    }
    const page = await session.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('http://pack.test/**', async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') {
        await route.fulfill({ contentType: 'text/html', body: PAGE });
      } else if (path === '/register.pdf') {
        await route.fulfill({ contentType: 'application/pdf', body: register });
      } else if (path.startsWith('/pdfjs/')) {
        const file = join(pdfjsDir, path.slice('/pdfjs/'.length));
        await route.fulfill({
          contentType: path.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream',
          body: readFileSync(file),
        });
      } else {
        await route.fulfill({ status: 404, body: '' });
      }
    });
    await page.goto('http://pack.test/');
    await page.waitForFunction(() => 'rendered' in globalThis, undefined, { timeout: 20_000 });
    const rendered = (await page.evaluate(
      () => (globalThis as unknown as { rendered: unknown }).rendered,
    )) as {
      width: number;
      height: number;
      inkRatio: number;
      pages: number;
    };
    const shot = await page.locator('#page').screenshot();
    expect(errors).toEqual([]);
    // A landscape A4 page at 1.5×, with text, rules and the shaded table header on it.
    expect(rendered.width).toBeGreaterThan(rendered.height);
    expect(rendered.pages).toBeGreaterThanOrEqual(2);
    expect(rendered.inkRatio).toBeGreaterThan(0.01);
    expect(rendered.inkRatio).toBeLessThan(0.5);
    expect(shot.byteLength).toBeGreaterThan(10_000);
    await page.close();
  });
});
