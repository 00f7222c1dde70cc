import JSZip from 'jszip';
import { buildTeamsManifest, type ManifestConfig } from './teams-manifest.ts';

/**
 * The zip a school's IT lead uploads in the Teams admin centre: manifest.json and the two
 * icons at the root, nothing else.
 */
export async function buildAppPackage(
  config: ManifestConfig,
  icons: { color: Uint8Array; outline: Uint8Array },
): Promise<Uint8Array> {
  const zip = new JSZip();
  // Fixed dates so the same inputs give the same bytes.
  const date = new Date('2026-01-01T00:00:00Z');
  zip.file('manifest.json', `${JSON.stringify(buildTeamsManifest(config), null, 2)}\n`, { date });
  zip.file('color.png', icons.color, { date });
  zip.file('outline.png', icons.outline, { date });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
