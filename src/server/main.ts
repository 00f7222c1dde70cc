// The service against a real tenant (App Service runs `node src/server/main.ts`): reads the
// environment once and composes the production service (production-service.ts) with
// Microsoft's own keys and connector. For the local demo use `npm start` instead.
import { describeConfigError, loadEnv, type Env } from '../config/env.ts';
import { close, listen } from './http-server.ts';
import { composeProductionService, type ProductionService } from './production-service.ts';

let env: Env;
try {
  env = loadEnv(process.env);
} catch (error) {
  process.stderr.write(`Countersign cannot start: ${describeConfigError(error)}\n`);
  process.exit(1);
}
if (env.COUNTERSIGN_MODE !== 'production') {
  process.stderr.write(
    'src/server/main.ts runs against a tenant: set COUNTERSIGN_MODE=production (see .env.example), or use `npm start` for the local demo.\n',
  );
  process.exit(2);
}
let composed: ProductionService;
try {
  composed = await composeProductionService(env);
} catch (error) {
  process.stderr.write(`Countersign cannot start: ${describeConfigError(error)}\n`);
  process.exit(1);
}
const { server, stop, log } = composed;
const port = await listen(server, env.PORT, '0.0.0.0');
log.info(`listening on ${port}`, { port });
process.on('SIGTERM', () => {
  void stop()
    .then(() => close(server))
    .then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
});
