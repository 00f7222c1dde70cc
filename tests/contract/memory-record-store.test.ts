import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { recordStoreContract } from './record-store.contract.ts';

recordStoreContract('memory', () => Promise.resolve({ store: new MemoryRecordStore() }));
