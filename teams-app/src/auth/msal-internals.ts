// MSAL's nested app authentication classes, which its package exports do not expose, from its
// own files through the msal-browser-internal alias (vite.config.ts; tsconfig.json types them
// with MSAL's own declarations, so an MSAL upgrade that moves or changes them fails the build
// and the typecheck rather than the sign-in). msal-naa.ts is the only importer.
export { NestedAppAuthController } from 'msal-browser-internal/controllers/NestedAppAuthController';
export { NestedAppOperatingContext } from 'msal-browser-internal/operatingcontext/NestedAppOperatingContext';
