import { eventStoreContract } from './event-store.contract.js';
import { MemoryEventStore } from './memory-event-store.js';

eventStoreContract('in-memory', async () => ({ store: new MemoryEventStore(), cleanup: async () => {} }));
