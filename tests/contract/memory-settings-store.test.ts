import { MemorySettingsStore } from '../../src/adapters/memory/memory-settings-store.ts';
import { settingsStoreContract } from './settings-store.contract.ts';

settingsStoreContract('memory', () => Promise.resolve({ store: new MemorySettingsStore() }));
