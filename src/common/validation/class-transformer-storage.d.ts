// class-transformer keeps its decorators' metadata in a singleton it does not export from its root;
// query-plan.ts reads it to compile plainToInstance for query DTOs.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}
