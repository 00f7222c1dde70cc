/**
 * The local Teams app id (manifest id) and bot id: the demo's own app, which the Graph emulator's
 * app catalog holds when it runs locally (`npm start`, `countersign emulator`).
 */
export const LOCAL_APP_ID = '00000000-0000-4000-8000-00000c0a7e51';
