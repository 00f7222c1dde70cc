// The rest of the domain, as the evidence files use it: one place to see what they rely on.
export {
  acknowledgementFieldsSchema,
  acknowledgementSchema,
  approvalStateSchema,
} from '../acknowledgement.ts';
export type { Acknowledgement, ApprovalState } from '../acknowledgement.ts';
export { auditEventTypeSchema } from '../audit-event.ts';
export { canonicalJson } from '../canonical-json.ts';
export { contentHash } from '../content-hash.ts';
export { CountersignError } from '../errors.ts';
export { policyDocumentSchema } from '../policy-document.ts';
export { changeKindSchema, policyKeySchema } from '../policy.ts';
export { compositionRefSchema } from '../policy-variant.ts';
export { verifySeal } from '../seal.ts';
export type { SealKey } from '../seal.ts';
export { wallTimeAt } from '../zoned-time.ts';
