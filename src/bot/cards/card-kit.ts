import type {
  CardElementArray,
  IActionSet,
  IChoice,
  IAdaptiveCard,
  IExecuteAction,
  IFactSet,
  IOpenUrlAction,
  IRefreshDefinition,
  ITextBlock,
} from '@microsoft/teams.cards';
import type { CardAction } from '../card-actions.ts';

/** Adaptive Card JSON as Teams takes it (typed by the Teams SDK's card interfaces). */
export type AdaptiveCard = IAdaptiveCard;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams supports 1.5 on desktop, web and mobile; Action.Execute needs 1.4 or later. */
export const CARD_VERSION = '1.5';
/** Teams refreshes a card automatically for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

/** Where the cards link to and how they read times: the same for every card the bot sends. */
export interface CardsConfig {
  /** The Teams app id from the manifest: deep links to the tab use it. */
  appId: string;
  /** The school's IANA time zone (default Europe/London). */
  timeZone: string;
}

export function adaptiveCard(
  body: CardElementArray,
  options: {
    actions?: IAdaptiveCard['actions'];
    refresh?: IRefreshDefinition;
    fallbackText: string;
  },
): AdaptiveCard {
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    fallbackText: options.fallbackText,
    msteams: { width: 'full' },
    body,
  };
  if (options.actions !== undefined && options.actions.length > 0) card.actions = options.actions;
  if (options.refresh !== undefined) card.refresh = options.refresh;
  return card;
}

/**
 * Backslash-escapes what Teams would read as Markdown in a TextBlock, Fact.Title or Fact.Value
 * (bold, italic, strike, lists, links; and what other hosts honour: code, headings, quotes,
 * tables, HTML), so text typed by a signer or imported from a policy document shows as typed and
 * can never become a link. CommonMark drops the backslash before punctuation, so "O'Brien (TA)"
 * still reads "O'Brien (TA)". Apostrophes, full stops and hyphens inside text are left alone: only
 * a list marker at the start of a line ("- ", "+ ", "1. ") is neutralised.
 */
export function escapeMarkdown(value: string): string {
  return (
    value
      .replace(/[\\`*_~[\]()#<>|]/g, '\\$&')
      // "- item", "+ item", "---" (a rule) and "===" (a heading underline) at a line's start.
      .replace(/^([ \t]*)([-+=])(?=[ \t]|$|[-+=])/gm, '$1\\$2')
      // "1. item"; "1) item" is already "1\) item" by now.
      .replace(/^([ \t]*\d{1,9})\.(?=[ \t]|$)/gm, '$1\\.')
  );
}

/**
 * A card's own Markdown: built only by md`…`, which escapes every value put into it, so a
 * template keeps its formatting (md`**${title}**`) and data never adds any.
 */
export class Markdown {
  readonly #source: string;
  private constructor(source: string) {
    this.#source = source;
  }
  static template(
    strings: TemplateStringsArray,
    ...values: readonly (string | number | Markdown)[]
  ): Markdown {
    let source = strings[0] ?? '';
    values.forEach((value, i) => {
      source += markdownOf(typeof value === 'number' ? String(value) : value);
      source += strings[i + 1] ?? '';
    });
    return new Markdown(source);
  }
  get source(): string {
    return this.#source;
  }
}

/** md`**${kind}:** ${clause}`: the literal parts are Markdown, the values are escaped. */
export function md(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | Markdown)[]
): Markdown {
  return Markdown.template(strings, ...values);
}

/** Card text: a plain string is escaped (shown as written); Markdown is the card's own. */
export type CardText = string | Markdown;

export function markdownOf(value: CardText): string {
  return typeof value === 'string' ? escapeMarkdown(value) : value.source;
}

export function text(value: CardText, options: Omit<ITextBlock, 'type' | 'text'> = {}): ITextBlock {
  return { type: 'TextBlock', text: markdownOf(value), wrap: true, ...options };
}

export function heading(value: CardText): ITextBlock {
  return text(value, { size: 'Large', weight: 'Bolder', style: 'heading' });
}

export function facts(pairs: readonly (readonly [CardText, CardText])[]): IFactSet {
  return {
    type: 'FactSet',
    facts: pairs.map(([title, value]) => ({ title: markdownOf(title), value: markdownOf(value) })),
  };
}

/**
 * A choice of an expanded ChoiceSet, or a Toggle's title: shown as a checkbox or radio label,
 * which the JavaScript renderer Teams uses runs through Markdown too
 * (GlobalSettings.useMarkdownInRadioButtonAndCheckbox). The value stays as given.
 */
export function choice(title: string, value: string): IChoice {
  return { title: escapeMarkdown(title), value };
}

/** An Action.Execute whose verb is also `data.action`, so the SDK's sub-routes match it. */
export function execute(
  title: string,
  data: CardAction,
  options: Omit<IExecuteAction, 'type' | 'title' | 'verb' | 'data'> = {},
): IExecuteAction {
  return { type: 'Action.Execute', title, verb: data.action, data, ...options };
}

export function openUrl(title: string, url: string): IOpenUrlAction {
  return { type: 'Action.OpenUrl', title, url };
}

export function actionSet(actions: IActionSet['actions'], id?: string): IActionSet {
  return id === undefined ? { type: 'ActionSet', actions } : { type: 'ActionSet', id, actions };
}

/** A refresh block for the listed users (Teams refreshes for at most 60; extra ids are dropped). */
export function refreshFor(userIds: readonly string[], data: CardAction): IRefreshDefinition {
  return {
    action: execute('Refresh', data),
    userIds: [...new Set(userIds)].slice(0, MAX_REFRESH_USERS),
  };
}

/** A deep link that opens the app's personal tab (entity id from the manifest's staticTabs). */
export function tabDeepLink(appId: string, entityId: string): string {
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${encodeURIComponent(entityId)}`;
}

export const MY_AUP_ENTITY_ID = 'my-aup';
export const ADMIN_ENTITY_ID = 'admin';
export const APPROVALS_ENTITY_ID = 'approvals';

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(
  map: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let formatter = map.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, ...options });
    map.set(timeZone, formatter);
  }
  return formatter;
}

/** "5 March 2026 at 14:07 GMT": cards show the school's time, not the reader's device time. */
export function formatDateTime(iso: string, timeZone: string): string {
  return cached(timeFormatters, timeZone, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** "Friday 5 March 2026". */
export function formatDate(iso: string, timeZone: string): string {
  return cached(dateFormatters, timeZone, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date(iso));
}

/** Cuts text to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** "and 3 more" lists: the first `max` items and how many were left out. */
export function firstOf<T>(items: readonly T[], max: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, max), more: Math.max(0, items.length - max) };
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
