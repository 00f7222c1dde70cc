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
import { tabDeepLink, type TabPage } from '../../domain/tab-deep-link.ts';
import type { CardAction } from '../card-actions.ts';

/** Adaptive Card JSON as Teams takes it (typed by the Teams SDK's card interfaces). */
export type AdaptiveCard = IAdaptiveCard;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams supports 1.5 on desktop, web and mobile; Action.Execute needs 1.4 or later. */
export const CARD_VERSION = '1.5';
/** Teams refreshes a card automatically for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

/**
 * A Teams user MRI, the form `refresh.userIds` takes: "UserIds is an array of user MRIs", e.g.
 * `29:1bSnHZ7Js2…`, read from the activity's `from.id` or the conversation roster
 * (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards,
 * "User IDs in refresh"). An Entra object id is not one: Teams would match nobody with it.
 */
const USER_MRI = /^29:[^\s]{1,512}$/;

export function isUserMri(id: string): boolean {
  return USER_MRI.test(id);
}

/** Where the cards link to and how they read times: the same for every card the bot sends. */
export interface CardsConfig {
  /** The Teams app id from the manifest: deep links to the tab use it. */
  appId: string;
  /** The school's IANA time zone (default Europe/London). */
  timeZone: string;
  /**
   * The school whose cards these are (a trust's deployment serves several): every action that
   * leads to one of its use cases carries it (inSchool), so the bot serves the press in that
   * school. Absent: a card of the deployment's one school, served by the sender's default.
   */
  schoolId?: string | undefined;
}

/** The action's data with the card's school in it (bot-app.ts routes the press by it). */
export function inSchool<T extends CardAction>(config: Pick<CardsConfig, 'schoolId'>, data: T): T {
  return config.schoolId === undefined ? data : { ...data, school: config.schoolId };
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

/** Invisible in every font and client; breaks a Markdown construct without showing anything. */
const WORD_JOINER = '\u2060';
/** Unicode whitespace to CommonMark (category Zs), about a fifth of a space wide. */
const HAIR_SPACE = '\u200A';

/**
 * Makes text show as written in a TextBlock, Fact.Title or Fact.Value, with no backslashes.
 * Teams renders only a Markdown subset there: bold, italic, bulleted and numbered lists and
 * hyperlinks (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format,
 * "Format cards with Markdown"; adaptive-cards/authoring-cards/text-features: a CommonMark
 * subset). A backslash escape is CommonMark, but not every Teams client's renderer honours it:
 * "\(" showed as typed. So nothing is escaped by a backslash; each construct that could form is
 * broken with characters that show as nothing (a word joiner) or nearly nothing (a hair space):
 * - a link or image: "](" and "][" get a word joiner between them; "<" before a letter, "/", "!"
 *   or "?" (autolinks, HTML) and "&" before an entity's name likewise; "http:", "https:",
 *   "ftp:" and "www." get one inside, so no linkifier finds a bare address either;
 * - bold, italic and strike (runs of *, _ or ~): a hair space on each side that touches text or
 *   the value's end, so the run flanks nothing (CommonMark's emphasis rule) even beside a
 *   template's own "**"; an underscore inside a word is left, as it can never be emphasis;
 * - code (a backtick): shown as the modifier grave accent "ˋ", which no Markdown reads;
 * - a list, heading, quote, table or rule at a line's start: a word joiner first, so the line is
 *   ordinary text; a backslash before punctuation keeps its backslash (a joiner after it).
 * Links a card means to offer are made by linkedText, https only.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/\\(?=[!-/:-@[-`{-~])/g, `\\${WORD_JOINER}`)
    .replace(/\](?=[([])/g, `]${WORD_JOINER}`)
    .replace(/<(?=[A-Za-z/!?])/g, `<${WORD_JOINER}`)
    .replace(/&(?=#?[A-Za-z0-9]{1,32};)/g, `&${WORD_JOINER}`)
    .replace(/\b(https?|ftp)(?=:)/gi, `$1${WORD_JOINER}`)
    .replace(/\b(www)(?=\.)/gi, `$1${WORD_JOINER}`)
    .replace(/`/g, 'ˋ')
    .replace(/[*_~]+/g, (run: string, at: number, all: string) => {
      const before = all.charAt(at - 1);
      const after = all.charAt(at + run.length);
      if (/^_+$/.test(run) && /\p{L}|\p{N}/u.test(before) && /\p{L}|\p{N}/u.test(after)) {
        return run;
      }
      // The ends of the value count as text: md`**${value}**` puts delimiters there.
      const pad = (ch: string): string => (ch !== '' && /\s/u.test(ch) ? '' : HAIR_SPACE);
      return `${pad(before)}${run}${pad(after)}`;
    })
    .replace(/^(?=[ \t]|[-+*=#>|:]|\d{1,9}[.)])/gm, WORD_JOINER);
}

/** The characters escapeMarkdown adds, none of them visible: take them away to read the text back. */
export function withoutMarkdownGuards(value: string): string {
  return value.replace(/[\u2060\u200A]/g, '').replace(/ˋ/g, '`');
}

/** An address a card may offer as a link: https, with a host, nothing that could break out. */
const HTTPS_URL = /https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s<>()[\]"'`]*)?/g;

/**
 * Policy text with its https addresses as links ("[address](address)") and everything else shown
 * as written: staff can open a link the policy gives, and nothing in the text can make a link
 * of its own, to http, javascript: or anywhere else (those stay plain text).
 */
export function linkedText(value: string): Markdown {
  const urls: string[] = [];
  // Each address is held as one private-use character while the rest is made safe, so the
  // emphasis and line-start rules see text on both sides of it, as they will in the card.
  const held = value.replace(/[\uE000-\uF8FF]/g, '\uFFFD').replace(HTTPS_URL, (found: string) => {
    // A sentence's full stop or comma after an address is not part of it.
    const url = found.replace(/[.,;:!?]+$/, '');
    urls.push(url);
    return `${String.fromCharCode(0xe000 + urls.length - 1)}${found.slice(url.length)}`;
  });
  const source = escapeMarkdown(held).replace(/[\uE000-\uF8FF]/g, (ch: string) => {
    const url = urls[ch.charCodeAt(0) - 0xe000] ?? '';
    return `[${escapeMarkdown(url)}](${url})`;
  });
  return Markdown.trusted(source);
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
  /** Markdown this module built itself (linkedText): never from data. */
  static trusted(source: string): Markdown {
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

/**
 * An Action.Execute whose verb is also `data.action`, so the SDK's sub-routes match it, with
 * the documented fallback for Teams clients without Universal Actions: "include the `fallback`
 * property and set its value to `Action.Submit`. Also, your bot code must process both"
 * (work-with-universal-actions-for-adaptive-cards, "Backward compatibility", Teams). The
 * Action.Submit carries the same data; Teams posts it as a message activity whose `value` is
 * that data with the inputs merged in (cards-actions, Action.Submit), and the bot sends it
 * through the same handler as the invoke (bot-app.ts).
 */
export function execute(
  title: string,
  data: CardAction,
  options: Omit<IExecuteAction, 'type' | 'title' | 'verb' | 'data' | 'fallback'> = {},
): IExecuteAction {
  return {
    type: 'Action.Execute',
    title,
    verb: data.action,
    data,
    ...options,
    fallback: {
      type: 'Action.Submit',
      title,
      data,
      ...(options.style === undefined ? {} : { style: options.style }),
    },
  };
}

export function openUrl(title: string, url: string): IOpenUrlAction {
  return { type: 'Action.OpenUrl', title, url };
}

export function actionSet(actions: IActionSet['actions'], id?: string): IActionSet {
  return id === undefined ? { type: 'ActionSet', actions } : { type: 'ActionSet', id, actions };
}

/**
 * A refresh block with no `userIds`: every card with one goes to a 1:1 chat, and "you might
 * choose to skip `userIds` … in case the scenario involves <=60 members … The Teams client
 * automatically invokes refresh calls for all the users" (work-with-universal-actions-for-
 * adaptive-cards, "User IDs in refresh"). The bot names the person by MRI when it answers in
 * their conversation and knows it (withRefreshUsers); a proactive card, drawn before anyone's
 * MRI is known, relies on the ≤60 rule. (The refresh action is never shown, so no fallback.)
 */
export function refreshFor(data: CardAction): IRefreshDefinition {
  return { action: { type: 'Action.Execute', title: 'Refresh', verb: data.action, data } };
}

/**
 * The card with its refresh naming these users by MRI (at most 60); ids that are not MRIs are
 * left out, so an Entra object id never reaches `userIds`. A card without refresh, or no MRI
 * among the ids, comes back as it was.
 */
export function withRefreshUsers(card: AdaptiveCard, ids: readonly string[]): AdaptiveCard {
  const mris = [...new Set(ids.filter(isUserMri))].slice(0, MAX_REFRESH_USERS);
  if (card.refresh === undefined || mris.length === 0) return card;
  return { ...card, refresh: { ...card.refresh, userIds: mris } };
}

/**
 * A deep link into the app's tab (src/domain/tab-deep-link.ts: the form Microsoft documents, the
 * manifest's one static tab, the page in `context.subEntityId`), in the card's school.
 */
export function tabLink(config: Pick<CardsConfig, 'appId' | 'schoolId'>, page: TabPage): string {
  return tabDeepLink(config.appId, { page, school: config.schoolId });
}

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
