import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { schoolSchema, type School } from '../../domain/school.ts';
import { staleRevision, type StoredSchoolSettings } from '../../domain/school-settings.ts';
import type { SettingsStore, SettingsWrite } from '../../ports/settings-store.ts';
import { ensureOk, isDuplicateReply, withQuery, type GraphGateway } from './graph-gateway.ts';
import { odataString, toRow, type Row } from './sharepoint-rows.ts';
import { fieldNames } from './sharepoint-schema.ts';
import type { SharePointSite } from './sharepoint-site.ts';

const settingsFieldsSchema = z.object({
  SchoolId: z.string().min(1),
  Revision: z.coerce.number().int().min(1),
  UpdatedAt: z.string().min(1),
  UpdatedBy: z.string().min(1),
  Settings: z.string().min(2),
});

/**
 * The SettingsStore on the site's CountersignSettings list, through the one Graph gateway. A
 * trust has tens of schools, so a listing pages the whole list; one school is found by its unique,
 * indexed SchoolId. A replace is conditional twice over: on the revision the editor read, and on
 * the item's eTag (If-Match), so two admins saving at once cannot both win.
 */
export class SharePointSettingsStore implements SettingsStore {
  readonly #gateway: GraphGateway;
  readonly #site: SharePointSite;

  constructor(gateway: GraphGateway, site: SharePointSite) {
    this.#gateway = gateway;
    this.#site = site;
  }

  async list(): Promise<StoredSchoolSettings[]> {
    const rows = await this.#rows();
    return rows
      .map((row) => settingsOf(row))
      .sort((a, b) => a.school.id.localeCompare(b.school.id));
  }

  async get(schoolId: string): Promise<StoredSchoolSettings | null> {
    const row = await this.#row(schoolId);
    return row === null ? null : settingsOf(row);
  }

  async create(school: School, write: SettingsWrite): Promise<StoredSchoolSettings> {
    const parsed = schoolSchema.parse(school);
    const items = await this.#items();
    const reply = await this.#gateway.exchange({
      method: 'POST',
      url: items,
      body: { fields: fieldsOf(parsed, 1, write) },
    });
    // SchoolId is unique in the list: a second create of a school is refused by SharePoint itself.
    if (isDuplicateReply(reply)) {
      throw new CountersignError('conflict', `School ${parsed.id} already has settings.`, {
        schoolId: parsed.id,
      });
    }
    ensureOk(reply, `Store the settings of ${parsed.id}`);
    return { school: parsed, revision: 1, updatedAt: write.at, updatedBy: write.by };
  }

  async replace(
    school: School,
    expectedRevision: number,
    write: SettingsWrite,
  ): Promise<StoredSchoolSettings> {
    const parsed = schoolSchema.parse(school);
    const row = await this.#row(parsed.id);
    if (row === null) {
      throw new CountersignError('not-found', `School ${parsed.id} has no settings.`, {
        schoolId: parsed.id,
      });
    }
    const current = settingsOf(row);
    if (current.revision !== expectedRevision) {
      throw staleRevision(parsed.id, expectedRevision, current.revision);
    }
    const revision = current.revision + 1;
    try {
      await this.#gateway.call(
        {
          method: 'PATCH',
          url: `${await this.#items()}/${encodeURIComponent(row.itemId)}/fields`,
          headers: { 'If-Match': row.etag },
          body: fieldsOf(parsed, revision, write),
        },
        `Save the settings of ${parsed.id}`,
      );
    } catch (error) {
      // Another writer changed the row between our read and this write.
      if (error instanceof CountersignError && error.code === 'precondition-failed') {
        const now = await this.get(parsed.id);
        throw staleRevision(parsed.id, expectedRevision, now?.revision ?? revision);
      }
      throw error;
    }
    return { school: parsed, revision, updatedAt: write.at, updatedBy: write.by };
  }

  async #items(): Promise<string> {
    return `${await this.#site.listPath('settings')}/items`;
  }

  async #rows(filter?: string): Promise<Row[]> {
    const url = withQuery(await this.#items(), {
      $select: 'id,eTag',
      $expand: `fields($select=${fieldNames('settings').join(',')})`,
      $filter: filter,
    });
    const rows: Row[] = [];
    for await (const page of this.#gateway.pages(url)) {
      for (const item of page) rows.push(toRow(item));
    }
    return rows;
  }

  async #row(schoolId: string): Promise<Row | null> {
    const rows = await this.#rows(`fields/SchoolId eq ${odataString(schoolId)}`);
    return rows[0] ?? null;
  }
}

function fieldsOf(school: School, revision: number, write: SettingsWrite): Record<string, unknown> {
  return {
    Title: school.name,
    SchoolId: school.id,
    SchoolName: school.name,
    Revision: revision,
    UpdatedAt: write.at,
    UpdatedBy: write.by,
    Settings: JSON.stringify(school),
  };
}

/** A row read back through the same schema the environment's JSON meets: nothing unchecked. */
function settingsOf(row: Row): StoredSchoolSettings {
  const fields = settingsFieldsSchema.safeParse(row.fields);
  let school: School | undefined;
  if (fields.success) {
    let raw: unknown;
    try {
      raw = JSON.parse(fields.data.Settings);
    } catch (error) {
      throw unreadable(row, 'its Settings column is not JSON', error);
    }
    const parsed = schoolSchema.safeParse(raw);
    if (!parsed.success) throw unreadable(row, parsed.error.message, parsed.error);
    school = parsed.data;
  }
  if (!fields.success || school === undefined) {
    throw unreadable(row, 'a column is missing or of the wrong type', fields.error);
  }
  if (school.id !== fields.data.SchoolId) {
    throw unreadable(
      row,
      `its SchoolId ${fields.data.SchoolId} differs from the settings' id ${school.id}`,
    );
  }
  return {
    school,
    revision: fields.data.Revision,
    updatedAt: fields.data.UpdatedAt,
    updatedBy: fields.data.UpdatedBy,
  };
}

function unreadable(row: Row, why: string, cause?: unknown): CountersignError {
  return new CountersignError(
    'upstream',
    `The settings row ${row.itemId} in CountersignSettings cannot be read: ${why}. Fix it in the site or save the settings again.`,
    { itemId: row.itemId },
    cause === undefined ? {} : { cause },
  );
}
