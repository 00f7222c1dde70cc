import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { ensureOk, withQuery, type GraphGateway } from './graph-gateway.ts';

const catalogSchema = z.object({ value: z.array(z.object({ id: z.string().min(1) })) });

/**
 * Installs Countersign in a person's personal scope (Graph `users/{id}/teamwork/installedApps`,
 * permission TeamsAppInstallation.ReadWriteSelfForUser.All), so the bot can open a 1:1 chat
 * with someone who never opened the app. The catalog id is looked up once from the manifest
 * id; "already installed" (409) is success. The lookup needs AppCatalog.Read.All ("List
 * teamsApp", https://learn.microsoft.com/en-us/graph/api/appcatalogs-list-teamsapps: an
 * uploaded app's catalog id is generated, not its manifest id, which becomes `externalId`);
 * infra/entra-app-registration.json requests it and infra/README.md says why.
 */
export function teamsAppInstaller(
  gateway: GraphGateway,
  manifestAppId: string,
): (userId: string) => Promise<void> {
  let catalogId: Promise<string> | undefined;
  const lookUp = async (): Promise<string> => {
    const reply = await gateway.call(
      {
        method: 'GET',
        url: withQuery('/appCatalogs/teamsApps', { $filter: `externalId eq '${manifestAppId}'` }),
      },
      'look up Countersign in the app catalog',
    );
    const app = catalogSchema.parse(reply.body).value[0];
    if (!app) {
      throw new CountersignError(
        'not-found',
        `The Teams app ${manifestAppId} is not in the organisation's app catalog: upload build/appPackage.zip in the Teams admin centre.`,
      );
    }
    return app.id;
  };
  return async (userId) => {
    catalogId ??= lookUp().catch((error: unknown) => {
      catalogId = undefined;
      throw error;
    });
    const id = await catalogId;
    const reply = await gateway.exchange({
      method: 'POST',
      url: `/users/${encodeURIComponent(userId)}/teamwork/installedApps`,
      body: {
        'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${id}`,
      },
    });
    if (reply.status === 409) return;
    ensureOk(reply, `install Countersign for ${userId}`);
  };
}
