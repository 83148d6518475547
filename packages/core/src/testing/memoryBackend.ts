import type { Backend, Item, ItemMetadata } from '../backend.js';
import { ItemNotFoundError } from '../errors.js';

/** An in-memory `Backend` for tests (keyring's ArrayKeyring). Copies bytes in and out. @public */
export function memoryBackend(initial: Item[] = []): Backend & { items: Map<string, Item> } {
  const items = new Map<string, Item>();
  const times = new Map<string, Date>();
  const put = (item: Item) => {
    items.set(item.key, { ...item, data: Uint8Array.from(item.data) });
    times.set(item.key, new Date());
  };
  initial.forEach(put);
  const need = (key: string): Item => {
    const item = items.get(key);
    if (!item) throw new ItemNotFoundError(key, 'memory backend');
    return item;
  };
  return {
    name: 'memory',
    items,
    async get(key) {
      const item = need(key);
      return { ...item, data: Uint8Array.from(item.data) };
    },
    async set(item) {
      put(item);
    },
    async remove(key) {
      need(key);
      items.delete(key);
      times.delete(key);
    },
    async keys() {
      return [...items.keys()];
    },
    async getMetadata(key): Promise<ItemMetadata> {
      const item = need(key);
      const meta: ItemMetadata = { key };
      if (item.label !== undefined) meta.label = item.label;
      if (item.description !== undefined) meta.description = item.description;
      const time = times.get(key);
      if (time) meta.modificationTime = time;
      return meta;
    },
  };
}
