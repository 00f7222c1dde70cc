// The parts of teams-js the tab uses, in one module loaded on demand (inside Teams only).
export { app, authentication, nestedAppAuth } from '@microsoft/teams-js';
