import { z } from 'zod';
import { TAB_ENTITY_ID } from '../domain/tab-deep-link.ts';
import { ACCENT_COLOUR } from './icons.ts';

/** The newest Teams manifest schema @microsoft/app-manifest ships (validated offline in tests). */
export const MANIFEST_VERSION = '1.30';

/** What the manifest needs from the deployment (Bicep outputs / .env). */
export const manifestConfigSchema = z.object({
  /** The Teams app id (a GUID of its own, stable across versions). */
  teamsAppId: z.guid(),
  /** The Entra app registration's client id: the bot id and the API's app id. */
  clientId: z.guid(),
  /** Public https origin of the service, e.g. https://countersign-school.azurewebsites.net */
  publicUrl: z
    .url()
    .refine((u) => u.startsWith('https://'), 'the service must be served over https'),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default('1.0.0'),
});
export type ManifestConfig = z.input<typeof manifestConfigSchema>;

/** The Teams app manifest for a school's deployment. Pure: config in, JSON out. */
export function buildTeamsManifest(input: ManifestConfig): Record<string, unknown> {
  const config = manifestConfigSchema.parse(input);
  const origin = new URL(config.publicUrl).origin;
  const domain = new URL(origin).host;
  const resource = `api://${domain}/${config.clientId}`;
  return {
    $schema: `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: config.version,
    id: config.teamsAppId,
    developer: {
      name: 'Countersign',
      websiteUrl: `${origin}/about`,
      privacyUrl: `${origin}/privacy`,
      termsOfUseUrl: `${origin}/terms`,
    },
    name: { short: 'Countersign', full: 'Countersign: staff Acceptable Use Policy' },
    description: {
      short: "Read and sign your school's Acceptable Use Policy in Teams.",
      full:
        "Countersign runs your school's staff Acceptable Use Policy in Teams. Staff read the " +
        'current policy, see what changed since they last signed, and sign in the My AUP tab or ' +
        'from a card in chat. Policy admins publish new versions and run re-sign campaigns; the ' +
        'headteacher approves new signers from a card. Every signature is a sealed record in ' +
        "your school's own SharePoint site.",
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: ACCENT_COLOUR,
    staticTabs: [
      {
        // Admin and Approvals views are reached from this tab by role; deep links name this
        // tab and the page in their context (src/domain/tab-deep-link.ts).
        entityId: TAB_ENTITY_ID,
        name: 'My AUP',
        contentUrl: `${origin}/?view=my-aup`,
        websiteUrl: `${origin}/`,
        scopes: ['personal'],
      },
      { entityId: 'conversations', scopes: ['personal'] },
      { entityId: 'about', scopes: ['personal'] },
    ],
    bots: [
      {
        botId: config.clientId,
        scopes: ['personal'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [
          {
            scopes: ['personal'],
            commands: [
              { title: 'status', description: 'Where you stand with each policy you need to sign' },
              { title: 'help', description: 'What Countersign does and how to sign' },
            ],
          },
        ],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [domain],
    // Countersign's registration and its API: the Teams single sign-on fallback asks Teams for a
    // token to this resource. No nestedAppAuthInfo: that entry prefetches a nested app token as
    // webApplicationInfo.id ("an NAA token based on its contents will be prefetched"; only the
    // preview schema adds a clientId to override the id), and the tab signs in as its own
    // registration, never as the API's (infra/README.md, "Why two registrations"), so a prefetch
    // under 1.30 would ask for a token to the API as the API itself. The tab gets its token on
    // its first request instead.
    webApplicationInfo: { id: config.clientId, resource },
  };
}
