import { randomUUID } from 'node:crypto';
import { GraphHttpError } from '../emulated-http.ts';

/**
 * Graph `columnDefinition` handling: defaults as Graph returns them, the value rules SharePoint
 * applies when an item is written (single-line text at most 255 characters, multiple lines at
 * most 63,999, date/times kept to the second in UTC), and which columns may be indexed.
 */

/**
 * "List and library column types and options" (support.microsoft.com/office/0d8ddb7b-7dc7-414d-a283-ee9dca891df7):
 * Single line of text, "Maximum length: 255 characters"; Multiple lines of text, "Maximum
 * length: 63,999 characters". The client object model agrees for single lines (FieldText.MaxLength
 * "must be equal to or less than 255", learn.microsoft.com/previous-versions/office/developer/sharepoint-2010/ee541910(v=office.14)).
 * Counted here in UTF-16 code units, and refused as 400 invalidRequest with the field named: the
 * counting unit, code and message Graph gives are inferred (no recording yet).
 */
export const SINGLE_LINE_MAX_CHARACTERS = 255;
export const MULTIPLE_LINES_MAX_CHARACTERS = 63_999;
export type ColumnKind = 'text' | 'number' | 'dateTime' | 'boolean' | 'choice' | 'other';

export type ColumnDefinition = Record<string, unknown> & {
  id: string;
  name: string;
  indexed: boolean;
  enforceUniqueValues: boolean;
};

const TYPE_FACETS = [
  'text',
  'number',
  'dateTime',
  'boolean',
  'choice',
  'currency',
  'personOrGroup',
  'lookup',
  'hyperlinkOrPicture',
] as const;

export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Names SharePoint keeps for itself: they appear in `fields` but cannot be written. */
export const SYSTEM_FIELDS = new Set(
  [
    'id',
    'ID',
    'ContentType',
    'Created',
    'Modified',
    'AuthorLookupId',
    'EditorLookupId',
    '_UIVersionString',
    'Attachments',
    'Edit',
    'LinkTitleNoMenu',
    'LinkTitle',
    'ItemChildCount',
    'FolderChildCount',
    '_ComplianceFlags',
    '_ComplianceTag',
    '_ComplianceTagWrittenTime',
    '_ComplianceTagUserId',
    'AppAuthorLookupId',
    'AppEditorLookupId',
  ].map((name) => name.toLowerCase()),
);

export function columnKind(def: Record<string, unknown>): ColumnKind {
  if (def.text !== undefined) return 'text';
  if (def.number !== undefined || def.currency !== undefined) return 'number';
  if (def.dateTime !== undefined) return 'dateTime';
  if (def.boolean !== undefined) return 'boolean';
  if (def.choice !== undefined) return 'choice';
  return 'other';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a column from a create request and fills in the defaults Graph returns. */
export function normaliseColumn(input: unknown): ColumnDefinition {
  if (!isRecord(input)) throw new GraphHttpError(400, 'invalidRequest', 'Invalid column');
  const name = input.name;
  if (typeof name !== 'string' || !COLUMN_NAME.test(name)) {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      'A column name is required: letters, digits and underscores, starting with a letter.',
    );
  }
  if (SYSTEM_FIELDS.has(name.toLowerCase()) || name.toLowerCase() === 'title') {
    throw new GraphHttpError(
      409,
      'nameAlreadyExists',
      `A duplicate field name "${name}" was found.`,
    );
  }
  const facets = TYPE_FACETS.filter((facet) => input[facet] !== undefined);
  if (facets.length !== 1) {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      'A column definition must have exactly one type facet (text, number, dateTime, boolean, …).',
    );
  }
  const facet = facets[0] as (typeof TYPE_FACETS)[number];
  const given = isRecord(input[facet]) ? input[facet] : {};
  const facetDefaults: Record<string, Record<string, unknown>> = {
    text: {
      allowMultipleLines: false,
      appendChangesToExistingText: false,
      linesForEditing: 0,
      maxLength: 255,
    },
    number: {
      decimalPlaces: 'automatic',
      displayAs: 'number',
      maximum: 1.7976931348623157e308,
      minimum: -1.7976931348623157e308,
    },
    dateTime: { displayAs: 'default', format: 'dateTime' },
    boolean: {},
    choice: { allowTextEntry: true, choices: [], displayAs: 'dropDownMenu' },
  };
  const facetValue = { ...(facetDefaults[facet] ?? {}), ...given };
  if (facet === 'text') {
    const multi = facetValue.allowMultipleLines === true;
    facetValue.maxLength = multi ? 0 : Math.min(Number(facetValue.maxLength) || 255, 255);
  }
  const column: ColumnDefinition = {
    columnGroup: 'Custom Columns',
    description: typeof input.description === 'string' ? input.description : '',
    displayName: typeof input.displayName === 'string' ? input.displayName : name,
    enforceUniqueValues: input.enforceUniqueValues === true,
    hidden: input.hidden === true,
    id: randomUUID(),
    indexed: input.indexed === true,
    name,
    readOnly: false,
    required: input.required === true,
    [facet]: facetValue,
  };
  checkIndexable(column);
  return column;
}

export function checkIndexable(column: ColumnDefinition): void {
  const text = column.text as Record<string, unknown> | undefined;
  if (column.indexed && text?.allowMultipleLines === true) {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Column '${column.name}' is multiple lines of text and cannot be indexed.`,
    );
  }
  if (column.enforceUniqueValues && !column.indexed) {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Column '${column.name}' must be indexed before it can enforce unique values.`,
    );
  }
}

/** The default Title column every genericList has. */
export function titleColumn(): ColumnDefinition {
  return {
    columnGroup: 'Custom Columns',
    description: '',
    displayName: 'Title',
    enforceUniqueValues: false,
    hidden: false,
    id: 'fa564e0f-0c70-4ab9-b863-0177e6ddd247',
    indexed: false,
    name: 'Title',
    readOnly: false,
    required: false,
    text: {
      allowMultipleLines: false,
      appendChangesToExistingText: false,
      linesForEditing: 0,
      maxLength: 255,
    },
  };
}

/** UTC, to the second, with a Z: how SharePoint stores and returns a date/time field. */
export function normaliseDateTime(value: string): string | undefined {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) return undefined;
  return new Date(Math.floor(parsed / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Converts a value written to a field into what SharePoint stores, or refuses it. */
export function coerceFieldValue(column: ColumnDefinition, value: unknown): unknown {
  if (value === null) return null;
  const invalid = (): never => {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Invalid value for field '${column.name}': ${JSON.stringify(value).slice(0, 100)}`,
    );
  };
  switch (columnKind(column)) {
    case 'text': {
      if (typeof value !== 'string' && typeof value !== 'number') return invalid();
      const text = String(value);
      const facet = column.text as Record<string, unknown>;
      const multiple = facet.allowMultipleLines === true;
      const limit = multiple ? MULTIPLE_LINES_MAX_CHARACTERS : SINGLE_LINE_MAX_CHARACTERS;
      if (text.length > limit) {
        throw new GraphHttpError(
          400,
          'invalidRequest',
          `The value of field '${column.name}' exceeds the ${limit.toLocaleString('en-GB')} characters ${multiple ? 'multiple lines' : 'a single line'} of text holds.`,
        );
      }
      return text;
    }
    case 'choice':
      if (typeof value !== 'string') return invalid();
      return value;
    case 'number': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) return invalid();
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return invalid();
    case 'dateTime': {
      if (typeof value !== 'string') return invalid();
      return normaliseDateTime(value) ?? invalid();
    }
    case 'other':
      return value;
  }
}
