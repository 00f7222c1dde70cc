/**
 * Where one person stands with one policy: the heart of Countersign. Computed by one pure
 * function (status.ts) from the policy, its versions, the person's acknowledgements and the
 * clock.
 */
export type PersonStatus =
  | { kind: 'not-required' }
  | {
      kind: 'due';
      reason: 'never-signed' | 'material-change' | 'renewal';
      /** The version to sign. */
      versionNumber: number;
      /** The version last signed, if any (for "what changed"). */
      lastSignedVersion?: number;
      /** ISO 8601 UTC, when a campaign set one. */
      deadline?: string;
    }
  | {
      kind: 'overdue';
      reason: 'never-signed' | 'material-change' | 'renewal';
      versionNumber: number;
      lastSignedVersion?: number;
      deadline: string;
    }
  | {
      kind: 'signed';
      versionNumber: number;
      signedAt: string;
      validUntil: string;
      /**
       * Set when the signature is of a withdrawn version (versionNumber) and the person signed
       * nothing else: it stands for this version, current again, so nobody signs twice for an
       * admin's mistake.
       */
      standsFor?: number;
      /** What the approver granted beyond the role's usual access, when they granted any. */
      additionalPermissions?: string[];
    }
  | { kind: 'awaiting-approval'; versionNumber: number; signedAt: string }
  | { kind: 'rejected'; versionNumber: number; signedAt: string; comment?: string };

export type PersonStatusKind = PersonStatus['kind'];
