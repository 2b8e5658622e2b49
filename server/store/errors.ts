// Why a database was refused. Torbit never repairs or overwrites a refused database.
export type StoreErrorCode = 'corrupt' | 'too-new' | 'foreign' | 'io';

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, readonly path: string, message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
