import { readFileSync } from 'node:fs';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { buildAppPackage } from '../../src/packaging/app-package.ts';
import { decodePng } from '../../src/packaging/png.ts';
import { buildTeamsManifest, MANIFEST_VERSION } from '../../src/packaging/teams-manifest.ts';

const config = {
  teamsAppId: '11111111-2222-4333-8444-555555555555',
  clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  publicUrl: 'https://countersign-oakfield.azurewebsites.net',
};
const icons = {
  color: readFileSync(new URL('../../manifest/color.png', import.meta.url)),
  outline: readFileSync(new URL('../../manifest/outline.png', import.meta.url)),
};

type Validatable = Parameters<typeof AppManifestUtils.validateAgainstSchema>[0];

async function validate(manifest: Record<string, unknown>): Promise<string[]> {
  // The schema ships inside @microsoft/app-manifest: this never touches the network.
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as Validatable);
}

describe('Teams app package', () => {
  it('builds a zip with exactly the manifest and the two icons', async () => {
    const zip = await JSZip.loadAsync(await buildAppPackage(config, icons));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('validates against the newest Teams schema offline with no errors', async () => {
    const zip = await JSZip.loadAsync(await buildAppPackage(config, icons));
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as Record<
      string,
      unknown
    >;
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(await validate(manifest)).toEqual([]);
  });

  it('the validator does catch a broken manifest', async () => {
    const manifest = buildTeamsManifest(config);
    const broken = { ...manifest, accentColor: 'blue', bots: [{ scopes: ['personal'] }] };
    const errors = await validate(broken);
    expect(errors.some((e) => e.includes('/accentColor'))).toBe(true);
    expect(errors.some((e) => e.includes('botId'))).toBe(true);
  });

  it('declares the tab, the bot commands and the single sign-on resource for the domain', () => {
    const m = buildTeamsManifest(config) as {
      staticTabs: { entityId: string; contentUrl?: string }[];
      bots: { botId: string; commandLists: { commands: { title: string }[] }[] }[];
      validDomains: string[];
      webApplicationInfo: Record<string, unknown>;
    };
    expect(m.staticTabs[0]).toMatchObject({
      entityId: 'my-aup',
      contentUrl: 'https://countersign-oakfield.azurewebsites.net/?view=my-aup',
    });
    expect(m.bots[0]?.botId).toBe(config.clientId);
    expect(m.bots[0]?.commandLists[0]?.commands.map((c) => c.title)).toEqual(['status', 'help']);
    expect(m.validDomains).toEqual(['countersign-oakfield.azurewebsites.net']);
    // The SSO fallback's resource is the API's; no NAA prefetch as the API's own id (the tab
    // signs in as its own registration).
    expect(m.webApplicationInfo).toEqual({
      id: config.clientId,
      resource: `api://countersign-oakfield.azurewebsites.net/${config.clientId}`,
    });
  });

  it('refuses a deployment that is not served over https', () => {
    expect(() => buildTeamsManifest({ ...config, publicUrl: 'http://example.org' })).toThrow(
      /https/,
    );
  });
});

describe('icons', () => {
  it('the colour icon is 192×192 and fully opaque', () => {
    const png = decodePng(icons.color);
    expect([png.width, png.height]).toEqual([192, 192]);
    const alphas = new Set<number>();
    for (let i = 3; i < png.pixels.length; i += 4) alphas.add(png.pixels[i]!);
    expect([...alphas]).toEqual([255]);
  });

  it('the outline icon is 32×32, white on a transparent background', () => {
    const png = decodePng(icons.outline);
    expect([png.width, png.height]).toEqual([32, 32]);
    expect(png.colourType).toBe(6);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < png.pixels.length; i += 4) {
      const [r, g, b, a] = [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2], png.pixels[i + 3]];
      if (a === 0) transparent++;
      else {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    // Corners are transparent, and there is a glyph.
    expect(png.pixels[3]).toBe(0);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
    expect(drawn).toBeGreaterThan(50);
  });
});
