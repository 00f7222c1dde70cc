import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';

/**
 * The keys that sign Bot Connector tokens, with each key's `endorsements`: the channels the
 * key may speak for. Microsoft publishes them at the `jwks_uri` of
 * https://login.botframework.com/v1/.well-known/openidconfiguration ("Authenticate requests
 * from the Bot Connector service to your bot", Bot Framework REST docs: "the endorsements
 * array of the key used to sign the token must contain the channelId of the activity").
 */
export interface BotFrameworkKeys {
  /** For jose's jwtVerify: picks the key by the token header's `kid`. */
  readonly getKey: JWTVerifyGetKey;
  /** The channels a key (by `kid`) is endorsed for; undefined when the key is unknown. */
  endorsementsOf(kid: string): readonly string[] | undefined;
}

/** Bot Framework's published signing keys (the public cloud; jose caches and refetches). */
export const BOT_FRAMEWORK_JWKS_URL = 'https://login.botframework.com/v1/.well-known/keys';

/** A JWK as Bot Framework publishes it: with the channels it is endorsed for. */
export type EndorsedJwk = JWK & { endorsements?: unknown };

function endorsementsIn(jwks: JSONWebKeySet | undefined, kid: string): string[] | undefined {
  const key: EndorsedJwk | undefined = jwks?.keys.find((k) => k.kid === kid);
  if (key === undefined) return undefined;
  const list = key.endorsements;
  return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
}

/** Production: Microsoft's key set, fetched and cached by jose. */
export function remoteBotFrameworkKeys(url = BOT_FRAMEWORK_JWKS_URL): BotFrameworkKeys {
  const remote = createRemoteJWKSet(new URL(url));
  return {
    getKey: remote,
    endorsementsOf: (kid) => endorsementsIn(remote.jwks(), kid),
  };
}

/** A fixed key set: the production-composition tests inject one signed by a local key. */
export function localBotFrameworkKeys(jwks: { keys: EndorsedJwk[] }): BotFrameworkKeys {
  return {
    getKey: createLocalJWKSet(jwks),
    endorsementsOf: (kid) => endorsementsIn(jwks, kid),
  };
}
