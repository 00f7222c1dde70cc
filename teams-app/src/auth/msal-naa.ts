// The only parts of MSAL the tab uses, in one module loaded on demand: importing names (rather
// than the whole namespace) lets the bundler leave the rest of MSAL out of the chunk.
export {
  InteractionRequiredAuthError,
  createNestablePublicClientApplication,
} from '@azure/msal-browser';
