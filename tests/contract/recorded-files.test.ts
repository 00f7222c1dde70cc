import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDED_DIR, RECORDED_SITE_HOST, recordingSchema } from './recording.ts';

/**
 * Every file in tests/recorded is a recording, and a sanitised one: checked on every run, so an
 * unsanitised file cannot be committed unnoticed, and run by the IT lead before sending theirs
 * back (docs/tenant-check.md), with their tenant's own words to look for in
 * COUNTERSIGN_RECORDED_MUST_NOT_CONTAIN (comma-separated: the tenant's name, domain, people).
 */
const files = readdirSync(RECORDED_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(RECORDED_DIR, dir.name))
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(dir.name, name)),
  );

const mustNotContain = (process.env.COUNTERSIGN_RECORDED_MUST_NOT_CONTAIN ?? '')
  .split(',')
  .map((word) => word.trim())
  .filter((word) => word.length > 0);

describe('the recordings in tests/recorded are sanitised', () => {
  it('there are recordings, one folder per suite', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(RECORDED_DIR, file), 'utf8');
      const recording = recordingSchema.parse(JSON.parse(text));
      expect(file.startsWith(`${recording.suite}/`)).toBe(true);
      expect(text).not.toMatch(/bearer|authorization|client_secret|access_token/i);
      // A JWT (header.payload.) in any form.
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
      for (const [guid] of text.matchAll(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
      )) {
        expect(guid).toMatch(/^00000000-0000-4000-8000-\d{12}$/);
      }
      for (const [email] of text.matchAll(
        /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g,
      )) {
        expect(email).toMatch(/^person\d+@example\.invalid$/);
      }
      for (const [host] of text.matchAll(/[A-Za-z0-9-]{1,63}\.sharepoint\.com/gi)) {
        expect(host).toBe(RECORDED_SITE_HOST);
      }
      for (const [mri] of text.matchAll(/\b29:[A-Za-z0-9_\-.]+/g))
        expect(mri).toMatch(/^29:user-\d+$/);
      for (const word of mustNotContain)
        expect(text.toLowerCase()).not.toContain(word.toLowerCase());
    });
  }
});
