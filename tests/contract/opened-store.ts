/** What a contract suite opens for each test: the port under test, closed afterwards. */
export type Opened<Port> = Port & { close(): Promise<void> };

/** Opens a fresh store (a new file, new tables) for one test. */
export type OpenStore<Port> = () => Promise<Opened<Port>> | Opened<Port>;
