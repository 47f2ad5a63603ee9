// Typed CNI errors and the one place that turns any thrown value into the spec's error object
// (SPEC.md "Error": {cniVersion, code, msg, details}; codes 1-99 are reserved by the spec).

export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IOFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  NotAvailable: 50,
  /** Plugin-specific (>= 100): the kernel or a host tool refused a change. */
  Internal: 100,
} as const;
export type CniCodeValue = (typeof CniCode)[keyof typeof CniCode];

export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details = '',
  ) {
    super(msg);
    this.name = 'CniError';
  }
}

export const incompatibleVersion = (msg: string, details = '') => new CniError(CniCode.IncompatibleVersion, msg, details);
export const unsupportedField = (msg: string, details = '') => new CniError(CniCode.UnsupportedField, msg, details);
export const unknownContainer = (msg: string, details = '') => new CniError(CniCode.UnknownContainer, msg, details);
export const invalidEnv = (msg: string, details = '') => new CniError(CniCode.InvalidEnv, msg, details);
export const ioFailure = (msg: string, details = '') => new CniError(CniCode.IOFailure, msg, details);
export const decodeFailure = (msg: string, details = '') => new CniError(CniCode.DecodeFailure, msg, details);
export const invalidConfig = (msg: string, details = '') => new CniError(CniCode.InvalidConfig, msg, details);
export const tryAgainLater = (msg: string, details = '') => new CniError(CniCode.TryAgainLater, msg, details);
export const notAvailable = (msg: string, details = '') => new CniError(CniCode.NotAvailable, msg, details);

export interface CniErrorJson {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

/**
 * Maps anything thrown to the spec's error object. CniErrors keep their code; failures of host tools
 * (sys/exec CommandError, ENOENT/EACCES from the filesystem) become I/O errors (5) with the detail;
 * anything else is a plugin-internal error (100) so it is never mistaken for a spec condition.
 */
export function toCniError(err: unknown, cniVersion: string): CniErrorJson {
  if (err instanceof CniError) {
    return { cniVersion, code: err.code, msg: err.message, ...(err.details ? { details: err.details } : {}) };
  }
  if (err instanceof Error) {
    const sysCode = (err as { code?: unknown }).code;
    if (sysCode === 'ECOMMAND' || sysCode === 'EMISSINGTOOL' || (typeof sysCode === 'string' && /^E[A-Z]+$/.test(sysCode))) {
      return { cniVersion, code: CniCode.IOFailure, msg: err.message, details: String(sysCode) };
    }
    return { cniVersion, code: CniCode.Internal, msg: err.message };
  }
  return { cniVersion, code: CniCode.Internal, msg: String(err) };
}
