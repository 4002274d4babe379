export { openDatabase, openDatabaseReadOnly, type Database } from './db';
export { StoreError, type StoreErrorCode } from './errors';
export {
  createCallStore,
  type CallPatch,
  type CallRecord,
  type CallScope,
  type CallStore,
  type ListCallsOptions,
  type NewCall,
  type UtteranceSearchHit,
} from './call-store';
export { LATEST_SCHEMA_VERSION } from './migrations/index';
