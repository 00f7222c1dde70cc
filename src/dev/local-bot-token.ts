/**
 * A token for the bot's outgoing calls on local runs (the Agents Playground's connector, the
 * Bot Connector emulator), which check no signature. The Teams SDK decodes whatever its `token`
 * function returns as a JWT ("Invalid token specified: missing part #2" otherwise), so this is
 * an unsigned JWT (`alg: none`) with the claims the SDK reads. Never valid against Azure: the
 * real Bot Connector needs a token from Entra ID (clientSecret or managed identity).
 */
export function localBotToken(clientId: string): () => string {
  const encode = (value: object): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = [
    encode({ alg: 'none', typ: 'JWT' }),
    encode({
      aud: 'https://api.botframework.com',
      iss: 'countersign-local',
      appid: clientId,
      // Far off: a local token is never refreshed.
      exp: 4_102_444_800,
    }),
    '',
  ].join('.');
  return () => token;
}
