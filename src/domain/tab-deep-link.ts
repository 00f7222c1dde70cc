/**
 * Links from a card (or anywhere in Teams) into a page of the Countersign tab, and the tab's
 * reading of them. One static tab exists (the manifest's `staticTabs`, teams-manifest.ts): every
 * link opens it, and which page shows is said in the link's `context.subEntityId`, which Teams
 * hands the tab as `page.subPageId` in the teams-js context.
 *
 * Form, from "Deep link to an application" › "Configure deep link to browse within your app
 * manually" (learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application):
 * `https://teams.microsoft.com/l/entity/<appId>/<entityId>?…&context=<context>`, where appId is
 * the manifest id for a custom app, entityId the tab's id, and `context.subEntityId` "an ID for
 * the item within the tab … the context object refers to the subEntityId as page.subPageId";
 * query values URI-encoded (`encodeURIComponent(JSON.stringify({ subEntityId }))`, as the page's
 * example does). The page also says a deep link in an `Action.OpenUrl` opens the tab in Teams.
 */

/** The manifest's one static tab: its `entityId`, which every deep link names. */
export const TAB_ENTITY_ID = 'my-aup';

/** The pages of the tab a link can ask for. */
export const TAB_PAGES = ['my-aup', 'admin', 'approvals', 'approval-requests'] as const;
export type TabPage = (typeof TAB_PAGES)[number];

/** A page of the tab, optionally in one school of a trust (the card's school). */
export interface TabTarget {
  page: TabPage;
  school?: string | undefined;
}

/** `page`, or `page/<school, URI-encoded>`: the subEntityId a link carries. */
export function tabSubPageId(target: TabTarget): string {
  return target.school === undefined
    ? target.page
    : `${target.page}/${encodeURIComponent(target.school)}`;
}

/**
 * A deep link that opens the app's tab (appId: the Teams app id from the deployment's settings,
 * the manifest's `id`) on a page. No `context` for My AUP itself: it is the tab's first page.
 */
export function tabDeepLink(appId: string, target: TabTarget = { page: 'my-aup' }): string {
  const base = `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${encodeURIComponent(TAB_ENTITY_ID)}`;
  if (target.page === 'my-aup' && target.school === undefined) return base;
  const context = encodeURIComponent(JSON.stringify({ subEntityId: tabSubPageId(target) }));
  return `${base}?context=${context}`;
}

function isTabPage(value: string): value is TabPage {
  return (TAB_PAGES as readonly string[]).includes(value);
}

/**
 * What a subPageId asks for, or undefined for anything else. Anyone can write a deep link, so
 * this is only a wish: the tab still shows a page by the roles the API gives the person, and a
 * school is used only when the API says the person is in it.
 */
export function readTabSubPageId(subPageId: string | undefined): TabTarget | undefined {
  if (subPageId === undefined || subPageId === '') return undefined;
  const slash = subPageId.indexOf('/');
  const page = slash === -1 ? subPageId : subPageId.slice(0, slash);
  if (!isTabPage(page)) return undefined;
  if (slash === -1) return { page };
  let school: string;
  try {
    school = decodeURIComponent(subPageId.slice(slash + 1));
  } catch {
    // A malformed escape: the page without a school.
    return { page };
  }
  return school === '' || school.length > 64 ? { page } : { page, school };
}
